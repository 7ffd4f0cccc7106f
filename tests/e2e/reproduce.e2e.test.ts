import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../../src/version.js';
import { processesMatching } from './processes.js';
import { startCli } from './run-firedrill.js';
import { shippedScenarioIds } from './scenario-set.js';

/**
 * `firedrill reproduce` end to end on the local substrate: shipped scenarios are staged with `firedrill
 * run`, then each bundle is re-staged and must be judged "reproduced"; the first is re-staged once more
 * with its scenario edited to another fault and must be judged "differs". Opt-in with
 * FIREDRILL_E2E=reproduce (`make test-reproduce`, two short scenarios, ~15 min on 2 cores: a pull-request
 * job of its own in .github/workflows/reproduce-nightly.yml, as it would double the time `make test` takes);
 * FIREDRILL_E2E_ALL=1 runs every scenario that runs on local, whether it lists its substrates or not (the
 * nightly target `make test-reproduce-all`). Each run takes about 2.5 minutes.
 */

const ALL = process.env.FIREDRILL_E2E_ALL === '1';
const CI_SET = ['payment-latency', 'cart-catalog-url-typo'];
const enabled = (process.env.FIREDRILL_E2E ?? '').split(',').includes('reproduce');
const reason = enabled ? undefined : 'set FIREDRILL_E2E=reproduce to run it (make test-reproduce)';
if (reason) process.stderr.write(`tests/e2e/reproduce.e2e.test.ts skipped: ${reason}\n`);
const suite = reason ? describe.skip : describe;

// Every shipped scenario that runs on local, as loaded: those without spec.substrates included.
const scenarios = ALL ? await shippedScenarioIds('local') : CI_SET;
const RUN_MS = 300_000;

suite(
  `reproduce on the local substrate (${ALL ? `${scenarios.length} local scenarios` : CI_SET.join(', ')})`,
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'fd-reproduce-e2e-'));
    const env = { XDG_STATE_HOME: join(dir, 'state'), FIREDRILL_WORK_DIR: join(dir, 'work') };
    let bundles: string[] = [];

    beforeAll(async () => {
      const run = startCli(
        [
          'run',
          ...scenarios.map((s) => join(REPO_ROOT, 'scenarios/shop', `${s}.yaml`)),
          '--out',
          join(dir, 'orig'),
        ],
        env,
      );
      const code = await run.exit;
      bundles = run.stdout().trim().split('\n').filter(Boolean);
      // A run that did not manifest still writes its bundle (exit 3): reproduce compares it all the same.
      if (code !== 0 && code !== 3)
        throw new Error(`firedrill run exited ${code}:\n${run.stderr().slice(-3000)}`);
    }, scenarios.length * RUN_MS);

    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it.each(scenarios.map((s, i) => [s, i]))(
      're-stages %s and reports "reproduced"',
      async (_scenario, i) => {
        const bundle = bundles[Number(i)];
        const r = startCli(['reproduce', bundle, '--out', join(dir, 'again', String(i))], env);
        const code = await r.exit;
        const out = r.stdout();
        const verdict = out.trimEnd().split('\n').at(-1) ?? '';
        // The whole comparison in the failure message: which alerts, services or events moved.
        expect({
          code,
          verdict,
          diff: code === 0 ? '' : out,
          err: code === 0 ? '' : r.stderr().slice(-2000),
        }).toEqual({
          code: 0,
          verdict: expect.stringMatching(/^reproduced: 1 of 1 re-staging of incident-/) as string,
          diff: '',
          err: '',
        });
        expect(r.stderr()).not.toMatch(/drift:/);
        expect(processesMatching(env.FIREDRILL_WORK_DIR)).toEqual([]);
      },
      RUN_MS + 60_000,
    );

    it(
      'reports "differs" when the scenario is edited to another fault',
      async () => {
        const original = readFileSync(join(REPO_ROOT, 'scenarios/shop', `${scenarios[0]}.yaml`), 'utf8');
        expect(original).toMatch(/type: app-latency/);
        const edited = join(dir, 'edited.yaml');
        // Same id, target and alerts to wait for; the payment service now fails requests instead of slowing.
        writeFileSync(
          edited,
          original
            .replace(/type: app-latency/, 'type: app-error-rate')
            .replace(/params: \{[^}]*\}/, 'params: {fraction: 0.6}')
            .replace(/ShopHighLatencyP95/g, 'ShopHighErrorRate'),
        );
        const r = startCli(
          ['reproduce', bundles[0], '--scenario', edited, '--out', join(dir, 'edited')],
          env,
        );
        const code = await r.exit;
        expect({ code, tail: r.stdout().trimEnd().split('\n').at(-1) }).toEqual({
          code: 1,
          tail: expect.stringMatching(/^differs: 0 of 1 re-staging/) as string,
        });
        expect(r.stdout()).toMatch(/^differs: firing alerts differ: Jaccard \d\.\d\d < 0\.8/m);
        expect(r.stderr()).toMatch(/drift: scenario \(as resolved/);
      },
      RUN_MS + 60_000,
    );
  },
);
