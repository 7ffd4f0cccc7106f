import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { FaultRegistry } from '../faults/fault-registry.js';
import type { ProgressReporter, Substrate } from '../platform/substrate.js';
import type { Scenario } from '../scenario/scenario.js';
import type { RunLog } from './run-log.js';
import type { RunPlan } from './run-plan.js';
import type { RunOutcome, RunRequest } from './run-request.js';

/** One run of one scenario into one bundle: runScenario in real use, a fake in tests. */
export type RunFn = (req: RunRequest) => Promise<RunOutcome>;

/** One planned run. */
export interface SeriesRun {
  scenario: Scenario;
  repeat: number;
  seed: number;
  bundleId: string;
  /** Where this run's bundle goes, when not the series' outDir (`reproduce --repeats`: one each, same id). */
  outDir?: string;
  /** A plan to run instead of the drawn one (`reproduce`: the recorded window offsets). */
  plan?: RunPlan;
}

/** Progress across runs: a run's phases are reported between startRun and endRun. */
export interface SeriesProgress extends ProgressReporter {
  startRun(run: SeriesRun, index: number, total: number): void;
  endRun(): void;
  /** A line outside any run (bringing the substrate up, stopping it). */
  note(name: string, detail?: string): void;
}

export type SeriesResult =
  | { run: SeriesRun; ok: true; outcome: RunOutcome }
  /** `committed`: the run failed after its bundle was renamed into place (while recovering). */
  | { run: SeriesRun; ok: false; error: unknown; committed: boolean };

export interface SeriesOptions {
  runs: readonly SeriesRun[];
  outDir: string;
  /** Called once, only when there is something to run. */
  createSubstrate: () => Promise<Substrate>;
  runOne: RunFn;
  registry: FaultRegistry;
  /** The corpus secret (corpus-secret.ts). */
  secret: string;
  signal: AbortSignal;
  progress: SeriesProgress;
  /** The JSON run log of one bundle. */
  openRunLog(run: SeriesRun): RunLog;
  /** Replace bundles that already exist. */
  replace?: boolean;
  /** Stop at the first failed run (`firedrill run`) instead of recording it and going on (corpus). */
  stopOnFailure: boolean;
  onResult(result: SeriesResult): void | Promise<void>;
  /** After the last run, before the substrate goes down (`run --keep-up` waits here). */
  beforeDown?(substrate: Substrate): Promise<void>;
  /** A stop that hangs must not hold the command; the process registry kills what is left on exit. */
  downTimeoutMs?: number;
}

export interface SeriesSummary {
  /** The error that ended the series when it was interrupted, else null. */
  interrupted: unknown;
  failures: number;
}

/**
 * The loop `run` and `corpus run` share: one substrate brought up for all runs (each run resets it),
 * each run with its own JSON log, every result handed to the caller, the substrate always taken down.
 * An interrupt ends the series after the current run's own cleanup.
 */
export async function runSeries(o: SeriesOptions): Promise<SeriesSummary> {
  const summary: SeriesSummary = { interrupted: null, failures: 0 };
  if (o.runs.length === 0) return summary;
  const substrate = await o.createSubstrate();
  try {
    o.progress.note('up', `bringing the ${substrate.name} substrate up once for ${o.runs.length} run(s)`);
    await substrate.up(o.signal, o.progress);
    for (const [k, run] of o.runs.entries()) {
      o.progress.startRun(run, k, o.runs.length);
      const log = o.openRunLog(run);
      try {
        const outcome = await o.runOne({
          scenario: run.scenario,
          repeat: run.repeat,
          seed: run.seed,
          outDir: run.outDir ?? o.outDir,
          bundleId: run.bundleId,
          plan: run.plan,
          secret: o.secret,
          substrate,
          registry: o.registry,
          logger: log.logger,
          progress: o.progress,
          signal: o.signal,
          replace: o.replace,
        });
        log.logger.info({ outcome }, 'run finished');
        await o.onResult({ run, ok: true, outcome });
      } catch (err) {
        if (o.signal.aborted) {
          // Reported once, by the top-level handler; the run log still records it.
          log.logger.info({ err }, 'run interrupted');
          summary.interrupted = err;
          break;
        }
        log.logger.error({ err }, 'run failed');
        summary.failures++;
        // runScenario commits the bundle before recovering and re-checking health: a failure there
        // leaves a complete bundle, which the caller keeps rather than throws away.
        const committed = await stat(join(run.outDir ?? o.outDir, run.bundleId)).then(
          (st) => st.isDirectory(),
          () => false,
        );
        await o.onResult({ run, ok: false, error: err, committed });
        if (o.stopOnFailure) break;
      } finally {
        await log.close();
        o.progress.endRun();
      }
    }
    if (summary.interrupted === null && o.beforeDown) await o.beforeDown(substrate);
  } finally {
    o.progress.note('down', 'stopping everything this run started');
    const limit = new Promise<void>((resolve) => setTimeout(resolve, o.downTimeoutMs ?? 60_000).unref());
    await Promise.race([substrate.down(), limit]);
  }
  return summary;
}
