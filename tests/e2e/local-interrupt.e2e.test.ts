import { mkdtempSync, readdirSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../../src/version.js';
import { processesMatching } from './processes.js';
import { startCli } from './run-firedrill.js';

const SCENARIO = join(REPO_ROOT, 'tests/fixtures/e2e/quick-latency.yaml');

/**
 * Ctrl-C (and SIGTERM) in each phase of a run: nothing of the run may survive, no fault may stay
 * applied, and no bundle may be left that looks complete.
 */
describe('interrupting a local run', () => {
  const cases: Array<[string, RegExp, NodeJS.Signals, boolean]> = [
    ['bring-up', /up: deploying the shop/, 'SIGINT', false],
    ['warmup', /warmup: /, 'SIGINT', false],
    ['after injection', /wait: any of/, 'SIGINT', true],
    ['during capture', /capture: /, 'SIGINT', true],
    ['bring-up', /up: waiting for every Deployment/, 'SIGTERM', false],
    ['after injection', /wait: any of/, 'SIGTERM', true],
  ];

  it.each(cases)(
    '%s (%s of phase line %s → %s)',
    async (_phase, line, signal, injected) => {
      const dir = mkdtempSync(join(tmpdir(), 'fd-interrupt-'));
      const work = join(dir, 'work');
      const out = join(dir, 'out');
      try {
        const run = startCli(['run', SCENARIO, '--out', out], {
          XDG_STATE_HOME: join(dir, 'state'),
          FIREDRILL_WORK_DIR: work,
        });
        await run.waitFor(line, 180_000);
        run.child.kill(signal);
        const code = await run.exit;
        expect({ code, stderr: run.stderr().slice(-2000) }).toMatchObject({ code: 130 });
        expect(processesMatching(work)).toEqual([]);
        const pidDir = join(dir, 'state', 'firedrill', 'local', 'pids');
        expect(existsSync(pidDir) ? readdirSync(pidDir) : []).toEqual([]);
        // No bundle, complete or partial: only the run log may be in the output directory.
        const left = existsSync(out) ? readdirSync(out) : [];
        expect(left.filter((f) => !f.endsWith('.log.ndjson'))).toEqual([]);
        expect(run.stdout()).toBe('');
        if (injected) {
          const log = readFileSync(join(out, left.find((f) => f.endsWith('.log.ndjson')) ?? ''), 'utf8');
          expect(log).toContain('"msg":"injected"');
          expect(log).toContain('"msg":"recovering"');
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    300_000,
  );
});
