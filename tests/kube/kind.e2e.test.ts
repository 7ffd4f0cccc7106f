import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCli } from '../e2e/run-firedrill.js';
import { bundleFailures, scenariosFor } from './e2e-support.js';

/**
 * Every scenario of scenarios/shop that declares the kind substrate, run by `firedrill run --substrate
 * kind` on a real kind cluster (created, used, deleted by the run). Needs Docker, kind v0.30 and 6–8 GiB
 * of RAM; CI runs it from .github/workflows/e2e-kind.yml. Opt-in: FIREDRILL_E2E=kind. When asked for, a
 * missing docker or kind fails the suite (firedrill's own exit 4 message says which) instead of skipping.
 */
const ENABLED = process.env.FIREDRILL_E2E === 'kind';
const SKIP_REASON = 'skipped: set FIREDRILL_E2E=kind to run it (needs Docker, kind and ~8 GiB RAM)';
// Straight to stderr: Jest hides console output of skipped suites unless --verbose.
if (!ENABLED) process.stderr.write(`tests/kube/kind.e2e.test.ts ${SKIP_REASON}\n`);

const suite = ENABLED ? describe : describe.skip;
const scenarios = scenariosFor('kind');
/** Per scenario: reset, warmup, wait for the incident, capture; plus one cluster bring-up. */
const BUDGET_MS = 20 * 60_000 + scenarios.length * 8 * 60_000;

suite(`kind substrate end to end (${ENABLED ? `${scenarios.length} scenarios` : SKIP_REASON})`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'fd-kind-e2e-'));
  let bundles: string[] = [];
  let code: number | null = null;
  let stderr = '';

  beforeAll(async () => {
    // FIREDRILL_E2E_STATE keeps bundles, run logs and the kind logs of a failed bring-up for CI to upload.
    const keep = process.env.FIREDRILL_E2E_STATE;
    const run = startCli(['run', '--substrate', 'kind', ...scenarios, '--out', join(keep ?? dir, 'out')], {
      XDG_STATE_HOME: keep ?? join(dir, 'state'),
    });
    code = await run.exit;
    stderr = run.stderr();
    bundles = run.stdout().trim().split('\n').filter(Boolean);
  }, BUDGET_MS);

  afterAll(() => {
    // The run deletes the cluster it created; this is for a run killed halfway.
    try {
      execFileSync('kind', ['delete', 'cluster', '--name', 'shop-lab'], { stdio: 'ignore' });
    } catch {
      // kind missing or nothing to delete
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds Kubernetes-capable scenarios to run', () => {
    expect(scenarios.length).toBeGreaterThan(0);
  });

  it('exits 0 with one bundle per scenario', () => {
    expect({ code, tail: stderr.slice(-4000) }).toMatchObject({ code: 0 });
    expect(bundles).toHaveLength(scenarios.length);
  });

  it('writes bundles that verify, manifested, with every signal captured', async () => {
    const failures: string[] = [];
    for (const b of bundles) failures.push(...(await bundleFailures(b, 'kind')));
    expect(failures).toEqual([]);
  });
});
