import type { BundleWriter } from '../../bundle/bundle-writer.js';
import { TruthFile } from '../../bundle/layout.js';
import type { GroundTruth } from '../../bundle/ground-truth.js';
import type { BackgroundRunner } from '../../background/background-runner.js';
import type { CaptureScope } from '../../capture/capture-scope.js';
import { captureSnapshot, type CaptureResult } from '../../capture/capture-snapshot.js';
import { HistoryShift } from '../../capture/history-shift.js';
import { PastRollouts } from '../../capture/past-rollouts.js';
import { SeededRandom } from '../../util/seeded-random.js';
import { firedAlertNames } from '../../capture/collect-alerts.js';
import type { RunRecordings } from '../../capture/signal.js';
import type { CaptureWindow } from '../../platform/capture-sources.js';
import { assembleTruth } from '../../truth/assemble-truth.js';
import type { FaultSession } from '../fault-session.js';
import type { RunContext } from '../run-context.js';

export interface Captured {
  window: CaptureWindow;
  cap: CaptureResult;
  fired: string[];
  truth: GroundTruth;
  /** Alerts background activity may have raised on purpose. */
  backgroundAlerts: string[];
}

export interface CaptureTimes {
  /** When the reset started: older times are the cluster's, newer ones this run's app's. */
  resetStart: number;
  /** When the run's own activity began (background, recorder, warmup): its times are shown as they were. */
  runStart: number;
  warmupStart: number;
  /** End of the warmup. */
  t0: number;
  manifestedAt: number | undefined;
  /** When observation stopped: the window's end. */
  windowEnd: number;
}

/**
 * The incident window into `snapshot/`, and into `truth/` the ground truth, what ran in the background,
 * the run's recipe (secret, offsets) and the exact scenario text. The window opens the plan's lead before
 * the end of the warmup (never before the warmup started) and closes when observation stopped.
 */
export async function capturePhase(
  ctx: RunContext,
  writer: BundleWriter,
  faults: FaultSession,
  times: CaptureTimes,
  scope: CaptureScope,
  background: BackgroundRunner,
  recorded: RunRecordings,
): Promise<Captured> {
  const { substrate, scenario, progress, logger } = ctx.req;
  progress.phase('capture', 'alerts, events, logs, traces, metrics, objects');
  const window: CaptureWindow = {
    start: new Date(Math.max(times.warmupStart, times.t0 - ctx.plan.leadMs)),
    end: new Date(times.windowEnd),
  };
  const cap = await captureSnapshot(
    substrate.capture,
    window,
    scope,
    writer,
    logger.child({ component: 'capture' }),
    recorded,
    new HistoryShift(times.resetStart, times.runStart, ctx.plan.history),
    new PastRollouts(new SeededRandom(ctx.plan.pastSeed, 'past-rollouts'), {
      recordChangeCause: ctx.plan.recordChangeCause,
    }),
  );
  const fired = firedAlertNames(cap.alerts);
  const truth = assembleTruth({
    scenario,
    alerts: cap.alerts,
    events: cap.events,
    spans: cap.spans,
    faults: faults.records(),
    topology: cap.topology,
    seenEntities: cap.seenEntities,
    injectedAt: faults.firstInjectedAt(),
    manifestedAt: times.manifestedAt,
    firedAlerts: fired,
  });
  const backgroundAlerts = background.alerts();
  await writer.writeJson(TruthFile.groundTruth, truth);
  await writer.writeJson(TruthFile.background, {
    profile: scenario.spec.background.profile,
    alerts: background.alertsBesideIncident(),
    actions: background.records(),
  });
  await writer.writeJson(TruthFile.recipe, {
    scenarioId: scenario.metadata.id,
    seed: ctx.req.seed,
    repeat: ctx.req.repeat,
    substrate: substrate.name,
    secret: ctx.req.secret,
    warmupMs: ctx.plan.warmupMs,
    leadMs: ctx.plan.leadMs,
    tailMs: ctx.plan.tailMs,
    loadSeed: ctx.plan.loadSeed,
    recordChangeCause: ctx.plan.recordChangeCause,
    // Times before the warmup in snapshot/ are moved back by these (capture/history-shift.ts).
    history: {
      ...ctx.plan.history,
      resetStart: new Date(times.resetStart).toISOString(),
      runStart: new Date(times.runStart).toISOString(),
      // The key of the Deployments' rollouts before the run (capture/past-rollouts.ts).
      pastSeed: ctx.plan.pastSeed,
    },
    // The rate and mix this run drove (the scenario's, varied per run).
    load: ctx.plan.load,
    // What the scenario itself asked to observe past the incident; the rest of the tail was drawn.
    stableUntil:
      times.manifestedAt !== undefined
        ? new Date(times.manifestedAt + scenario.spec.observe.window.afterMs).toISOString()
        : null,
  });
  await writer.writeText(TruthFile.scenario, scenario.sourceText);
  ctx.phaseDone('capture');
  return { window, cap, fired, truth, backgroundAlerts };
}
