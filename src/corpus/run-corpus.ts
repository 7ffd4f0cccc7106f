import { randomUUID } from 'node:crypto';
import { mkdir, stat } from 'node:fs/promises';
import { CorpusError } from '../errors/corpus-error.js';
import { ExitCode } from '../errors/exit-codes.js';
import { FiredrillError } from '../errors/firedrill-error.js';
import type { FaultRegistry } from '../faults/fault-registry.js';
import { fileRunLog, type RunLog } from '../runner/run-log.js';
import { runSeries, type RunFn } from '../runner/run-series.js';
import type { Scenario } from '../scenario/scenario.js';
import type { Substrate } from '../platform/substrate.js';
import { errorText } from '../util/error-text.js';
import { systemClock, type Clock } from '../util/clock.js';
import { CorpusLayout } from './corpus-layout.js';
import { lockCorpus } from './corpus-lock.js';
import { CorpusProgress } from './corpus-progress.js';
import { commandsOf, type CorpusIndex, type IndexRow } from './corpus-index.js';
import { finalizeCorpus, type RunRecord } from './finalize-corpus.js';
import type { MovementOptions } from './metric-movement.js';
import { planCorpus, type PlannedRun, type Shard } from './plan.js';
import { loadOrCreateSecret } from '../runner/corpus-secret.js';
import type { ReferenceAgent } from './difficulty.js';
import { readCorpusIndex } from './read-index.js';
import { inspectExisting } from './resume.js';
import { timingsOf } from './run-timings.js';
import { DEFAULT_STABILITY_THRESHOLD } from '../compare/stability.js';

export type { RunFn } from '../runner/run-series.js';
export type { RunLog } from '../runner/run-log.js';

export interface CorpusRunOptions {
  /** Validated scenarios (loadRunnable); planned in metadata.id order whatever order they come in. */
  scenarios: readonly Scenario[];
  outDir: string;
  repeats: number;
  only?: readonly string[];
  shard?: Shard;
  seed?: number;
  /** Keep complete, verified bundles and redo the rest. */
  resume?: boolean;
  /** Redo planned bundles that already exist. */
  force?: boolean;
  /** Stop at the first failed run instead of recording it and going on. */
  failFast?: boolean;
  stabilityThreshold?: number;
  movement?: MovementOptions;
  /** Recorded for runs that fail before writing a bundle (a bundle's manifest names its own). */
  substrateName: string;
  /** Measures every task's difficulty with this agent (the CLI passes the reference agent). */
  referenceAgent?: ReferenceAgent;
  /** The corpus secret; default the corpus directory's own (created on the first run). */
  secret?: string;
  /**
   * Called once, only when something is left to run, with the scenarios of the runs left (after --only,
   * --shard and --resume): a Kubernetes substrate installs Chaos Mesh only when one of them needs it.
   */
  createSubstrate: (scenarios: readonly Scenario[]) => Promise<Substrate>;
  runOne: RunFn;
  registry: FaultRegistry;
  signal: AbortSignal;
  /** Progress lines (stderr). */
  write?: (line: string) => void;
  clock?: Clock;
  /** The run log of one bundle; default: a pino logger writing every record to `file`. */
  openRunLog?: (file: string, bindings: Record<string, unknown>) => RunLog;
}

export interface CorpusRunResult {
  index: CorpusIndex;
  planned: PlannedRun[];
  ran: number;
  skipped: number;
  failed: number;
  removed: Array<{ path: string; reason: string }>;
}

/**
 * `firedrill corpus run`: plans the (scenario, repeat) runs, skips what a previous run completed
 * (--resume), brings one substrate up for all remaining runs (each run resets it), records every run's
 * outcome, then checks, packs and indexes the corpus (finalizeCorpus). A failed run is recorded and the
 * corpus goes on (unless failFast); an interrupt stops after the current run's cleanup, indexes what
 * is complete, and throws exit code 130.
 */
export async function runCorpus(o: CorpusRunOptions): Promise<CorpusRunResult> {
  const layout = new CorpusLayout(o.outDir);
  await mkdir(layout.bundlesDir, { recursive: true });
  await mkdir(layout.corpusDir, { recursive: true });
  const release = await lockCorpus(layout.lockFile, o.outDir);
  try {
    return await runLocked(o, layout);
  } finally {
    await release();
  }
}

async function runLocked(o: CorpusRunOptions, layout: CorpusLayout): Promise<CorpusRunResult> {
  const clock = o.clock ?? systemClock;
  const started = clock.now();
  const secret = o.secret ?? (await loadOrCreateSecret(layout.secretFile));
  const planned = planCorpus(o.scenarios, {
    repeats: o.repeats,
    only: o.only,
    shard: o.shard,
    seed: o.seed,
    secret,
  });
  let previous: CorpusIndex | null = null;
  try {
    previous = await readCorpusIndex(layout.indexFile);
  } catch (err) {
    if (!(err instanceof CorpusError)) throw err;
    // A damaged index is rebuilt from the bundles and their run logs.
  }
  const previousRows = new Map<string, IndexRow>((previous?.rows ?? []).map((r) => [r.bundleId, r]));
  const pinned = new Map<string, string>();
  for (const r of previousRows.values())
    if (r.bundle?.rootSha256) pinned.set(r.bundleId, r.bundle.rootSha256);
  const existing = await inspectExisting(layout, planned, { resume: o.resume, force: o.force, pinned });

  const toRun = planned.filter((p) => !existing.complete.has(p.bundleId));
  const progress = new CorpusProgress(toRun.length, o.write, clock);
  for (const r of existing.removed) progress.note('resume', `removed ${r.path}: ${r.reason}`);
  if (existing.complete.size > 0)
    progress.note('resume', `${existing.complete.size} complete bundle(s) kept, ${toRun.length} to run`);

  const records = new Map<string, RunRecord>();
  const shardText = o.shard ? `${o.shard.index}/${o.shard.count}` : null;
  for (const p of planned) {
    if (!existing.complete.has(p.bundleId)) continue;
    const prev = previousRows.get(p.bundleId);
    records.set(p.bundleId, {
      ...base(p, o.substrateName, shardText),
      status: 'complete',
      timings: prev?.timings ?? undefined,
      firedAlerts: prev?.firedAlerts,
      shard: prev?.shard ?? shardText,
    });
  }

  const scenarioIds = [...new Set(planned.map((p) => p.scenarioId))];
  const byId = new Map(toRun.map((p) => [p.bundleId, p]));
  const series = await runSeries({
    runs: toRun,
    outDir: layout.bundlesDir,
    createSubstrate: () => o.createSubstrate([...new Set(toRun.map((p) => p.scenario))]),
    runOne: o.runOne,
    registry: o.registry,
    secret,
    signal: o.signal,
    replace: o.force,
    stopOnFailure: o.failFast ?? false,
    openRunLog: (run) =>
      (o.openRunLog ?? fileRunLog)(layout.logFile(run.bundleId), {
        bundleId: run.bundleId,
        scenario: run.scenario.metadata.id,
        repeat: run.repeat,
      }),
    progress: {
      phase: (name, detail) => progress.phase(name, detail),
      note: (name, detail) => progress.note(name, detail),
      startRun: (run, k, total) =>
        progress.startRun({
          scenarioIndex: scenarioIds.indexOf(run.scenario.metadata.id) + 1,
          scenarioCount: scenarioIds.length,
          scenarioId: run.scenario.metadata.id,
          repeat: run.repeat,
          repeats: o.repeats,
          run: k + 1,
          runs: total,
        }),
      endRun: () => void progress.endRun(),
    },
    onResult: (r) => {
      const p = byId.get(r.run.bundleId);
      if (!p) return;
      if (r.ok) {
        records.set(p.bundleId, {
          ...base(p, o.substrateName, shardText),
          status: 'complete',
          timings: timingsOf(r.outcome),
          firedAlerts: r.outcome.firedAlerts,
        });
        progress.phase(
          'done',
          r.outcome.manifested
            ? p.bundleId
            : `${p.bundleId}: incident did not manifest (${r.outcome.firedAlerts.join(', ') || 'no alerts fired'})`,
        );
        return;
      }
      records.set(p.bundleId, {
        ...base(p, o.substrateName, shardText),
        status: r.committed ? 'complete' : 'failed',
        error: r.committed ? `after its bundle was committed: ${errorText(r.error)}` : errorText(r.error),
      });
      progress.phase('failed', errorText(r.error));
    },
  });
  const failed = series.failures;
  const interrupted = series.interrupted;

  // Bundles of earlier plans (another --only, more repeats) stay part of the corpus while they exist.
  for (const row of previousRows.values())
    if (
      row.status === 'complete' &&
      !records.has(row.bundleId) &&
      !planned.some((p) => p.bundleId === row.bundleId)
    )
      records.set(row.bundleId, {
        bundleId: row.bundleId,
        scenarioId: row.scenarioId,
        repeat: row.repeat,
        seed: row.seed,
        substrate: row.substrate,
        status: 'complete',
        timings: row.timings,
        firedAlerts: row.firedAlerts,
        shard: row.shard,
      });
  const stillThere = await filterExisting(layout, [...records.values()]);
  progress.note(
    'index',
    `checking and packing ${stillThere.filter((r) => r.status === 'complete').length} bundle(s)`,
  );
  const index = await finalizeCorpus({
    layout,
    records: stillThere,
    stabilityThreshold: o.stabilityThreshold ?? DEFAULT_STABILITY_THRESHOLD,
    commands: [
      ...(previous ? commandsOf(previous) : []),
      { id: randomUUID(), wallMs: clock.now() - started },
    ],
    movement: o.movement,
    referenceAgent: o.referenceAgent,
  });
  if (interrupted !== null)
    throw new FiredrillError(
      `interrupted: faults recovered, processes stopped, no partial bundle left; ${layout.indexFile} lists the ${index.rows.filter((r) => r.status === 'complete').length} complete bundle(s); --resume continues`,
      ExitCode.Interrupted,
      { cause: interrupted },
    );
  return {
    index,
    planned,
    ran: toRun.length,
    skipped: existing.complete.size,
    failed,
    removed: existing.removed,
  };
}

function base(p: PlannedRun, substrate: string, shard: string | null): Omit<RunRecord, 'status'> {
  return {
    bundleId: p.bundleId,
    scenarioId: p.scenarioId,
    repeat: p.repeat,
    seed: p.seed,
    substrate,
    shard,
  };
}

async function filterExisting(layout: CorpusLayout, records: RunRecord[]): Promise<RunRecord[]> {
  const out: RunRecord[] = [];
  for (const r of records) {
    if (r.status === 'failed') {
      out.push(r);
      continue;
    }
    const ok = await stat(layout.bundleDir(r.bundleId)).then(
      (s) => s.isDirectory(),
      () => false,
    );
    if (ok) out.push(r);
  }
  return out;
}
