import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InterruptedError } from '../errors/interrupted-error.js';
import { testRegistry } from '../faults/testing/test-fault.js';
import { silentLogger } from '../logging/logger.js';
import { FakeSubstrate } from '../platform/testing/fake-substrate.js';
import { loadScenarioText } from '../scenario/load-scenario.js';
import type { RunOutcome, RunRequest } from './run-request.js';
import { runSeries, type SeriesOptions, type SeriesResult, type SeriesRun } from './run-series.js';
import { TEST_SCENARIO } from './testing/staged-world.js';

const scenario = loadScenarioText(TEST_SCENARIO, 'staged.yaml', testRegistry());
const runs: SeriesRun[] = [0, 1, 2].map((repeat) => ({
  scenario,
  repeat,
  seed: 7,
  bundleId: `incident-${repeat}`,
}));

function outcome(req: RunRequest): RunOutcome {
  return {
    bundleDir: join(req.outDir, req.bundleId),
    manifested: true,
    timings: {},
    overheadMs: 0,
    firedAlerts: [],
    leaks: 0,
  };
}

async function series(
  over: Partial<SeriesOptions>,
): Promise<{ results: SeriesResult[]; substrate: FakeSubstrate; log: string[] }> {
  const substrate = new FakeSubstrate();
  const results: SeriesResult[] = [];
  const log: string[] = [];
  const outDir = await mkdtemp(join(tmpdir(), 'fd-series-'));
  await runSeries({
    runs,
    outDir,
    createSubstrate: async () => substrate,
    runOne: async (req) => outcome(req),
    registry: testRegistry(),
    secret: 'ab'.repeat(32),
    signal: new AbortController().signal,
    stopOnFailure: false,
    openRunLog: (run) => ({
      logger: silentLogger(),
      close: async () => void log.push(`close ${run.bundleId}`),
    }),
    progress: {
      phase: () => undefined,
      note: (name) => void log.push(name),
      startRun: (run, k, total) => void log.push(`start ${run.bundleId} ${k + 1}/${total}`),
      endRun: () => void log.push('end'),
    },
    onResult: (r) => void results.push(r),
    ...over,
  }).then((s) => log.push(`summary failures=${s.failures} interrupted=${s.interrupted !== null}`));
  return { results, substrate, log };
}

describe('runSeries', () => {
  it('brings one substrate up for every run, closes each run log, and always takes it down', async () => {
    const { results, substrate, log } = await series({});
    expect(substrate.calls).toEqual(['up', 'down']);
    expect(results.map((r) => r.ok)).toEqual([true, true, true]);
    expect(log).toEqual([
      'up',
      'start incident-0 1/3',
      'close incident-0',
      'end',
      'start incident-1 2/3',
      'close incident-1',
      'end',
      'start incident-2 3/3',
      'close incident-2',
      'end',
      'down',
      'summary failures=0 interrupted=false',
    ]);
  });

  it('records a failed run and goes on, or stops at it when asked; a bundle already committed is reported', async () => {
    const runOne = async (req: RunRequest): Promise<RunOutcome> => {
      if (req.repeat === 1) {
        await mkdir(join(req.outDir, req.bundleId));
        throw new Error('recovery timed out');
      }
      return outcome(req);
    };
    const goOn = await series({ runOne });
    expect(goOn.results.map((r) => (r.ok ? 'ok' : `failed committed=${r.committed}`))).toEqual([
      'ok',
      'failed committed=true',
      'ok',
    ]);
    const stop = await series({ runOne, stopOnFailure: true });
    expect(stop.results).toHaveLength(2);
    expect(stop.log.at(-1)).toBe('summary failures=1 interrupted=false');
    expect(stop.substrate.calls).toEqual(['up', 'down']);
  });

  it('ends after the interrupted run, skips the keep-up hook, and still takes the substrate down', async () => {
    const ac = new AbortController();
    let keptUp = false;
    const { results, substrate, log } = await series({
      signal: ac.signal,
      runOne: async (req) => {
        if (req.repeat === 1) {
          ac.abort(new InterruptedError('SIGINT'));
          throw new InterruptedError('SIGINT');
        }
        return outcome(req);
      },
      beforeDown: async () => {
        keptUp = true;
      },
    });
    expect(results).toHaveLength(1);
    expect(keptUp).toBe(false);
    expect(substrate.calls).toEqual(['up', 'down']);
    expect(log.at(-1)).toBe('summary failures=0 interrupted=true');
  });

  it('starts no substrate when there is nothing to run', async () => {
    const { substrate } = await series({ runs: [] });
    expect(substrate.calls).toEqual([]);
  });
});
