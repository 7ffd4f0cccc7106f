import type { BundleWriter } from '../../bundle/bundle-writer.js';
import { TRUTH_FILE } from '../../bundle/layout.js';
import type { GroundTruth } from '../../bundle/ground-truth.js';
import type { CaptureScope } from '../../capture/capture-scope.js';
import { captureSnapshot, type CaptureResult } from '../../capture/capture-snapshot.js';
import { firedAlertNames } from '../../capture/collect-alerts.js';
import type { CaptureWindow } from '../../platform/capture-sources.js';
import { assembleTruth } from '../../truth/assemble-truth.js';
import type { FaultSession } from '../fault-session.js';
import type { RunContext } from '../run-context.js';

export interface Captured {
  window: CaptureWindow;
  cap: CaptureResult;
  fired: string[];
  truth: GroundTruth;
}

/**
 * The incident window into `snapshot/` and the ground truth into `truth/` of an open bundle. The
 * window runs from `window.before` ahead of the first fault (never before the warmup started) to now.
 */
export async function capturePhase(
  ctx: RunContext,
  writer: BundleWriter,
  faults: FaultSession,
  times: { warmupStart: number; t0: number; manifestedAt: number | undefined },
  scope: CaptureScope,
): Promise<Captured> {
  const { substrate, scenario, progress, logger } = ctx.req;
  progress.phase('capture', 'alerts, events, logs, traces, metrics, objects');
  const window: CaptureWindow = {
    start: new Date(Math.max(times.warmupStart, times.t0 - scenario.spec.observe.window.beforeMs)),
    end: new Date(ctx.now()),
  };
  const cap = await captureSnapshot(
    substrate.capture,
    window,
    scope,
    writer,
    logger.child({ component: 'capture' }),
  );
  const fired = firedAlertNames(cap.alerts);
  const truth = assembleTruth({
    scenario,
    faults: faults.records(),
    topology: cap.topology,
    seenEntities: cap.seenEntities,
    injectedAt: faults.firstInjectedAt(),
    manifestedAt: times.manifestedAt,
    firedAlerts: fired,
  });
  await writer.writeJson(TRUTH_FILE, truth);
  ctx.phaseDone('capture');
  return { window, cap, fired, truth };
}
