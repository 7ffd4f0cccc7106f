import type { CaptureScope } from '../../capture/capture-scope.js';
import type { FaultSession } from '../fault-session.js';
import type { RunContext } from '../run-context.js';

/** How often Prometheus is asked whether the awaited alerts fire. */
export const ALERT_POLL_MS = 2000;

/**
 * Whether an alert became active (pending) once the faults were going in: one already active before the
 * first fault is the run's background (a rollout's slow start, a blip), whatever its name, and must not end
 * the wait before the incident shows. A second of slack for timestamps; an alert without `activeAt` counts.
 */
export function becameActiveSince(activeAt: string | undefined, t0: number): boolean {
  const at = activeAt ? Date.parse(activeAt) : NaN;
  return !Number.isFinite(at) || at >= t0 - 1000;
}

/**
 * Waits for the incident: the scenario's `until` alerts firing (any or all of them, in the capture's
 * namespaces, active since the first fault), or its timeout counted from `t0`. Then keeps observing
 * `window.after`. Returns when the condition was met, or undefined on timeout.
 */
export async function waitForIncidentPhase(
  ctx: RunContext,
  faults: FaultSession,
  t0: number,
  scope: CaptureScope,
): Promise<number | undefined> {
  const { substrate, progress, scenario } = ctx.req;
  const { until, timeoutMs } = scenario.spec.observe;
  const { tailMs } = ctx.plan;
  const deadline = t0 + timeoutMs;
  let manifestedAt: number | undefined;
  progress.phase(
    'wait',
    until.alerts.length ? `${until.mode} of ${until.alerts.join(', ')} firing` : 'timeout',
  );
  while (ctx.now() < deadline) {
    ctx.checkAbort();
    const firing = new Set(
      (await substrate.capture.prometheus.alerts())
        .filter(
          (a) =>
            a.state === 'firing' &&
            (!a.labels.namespace || scope.namespaces.includes(a.labels.namespace)) &&
            becameActiveSince(a.activeAt, t0),
        )
        .map((a) => a.labels.alertname),
    );
    const hit =
      until.mode === 'all'
        ? until.alerts.every((a) => firing.has(a))
        : until.alerts.some((a) => firing.has(a));
    if (until.alerts.length > 0 && hit) {
      manifestedAt = ctx.now();
      break;
    }
    await ctx.sleep(Math.min(ALERT_POLL_MS, Math.max(0, deadline - ctx.now())));
  }
  faults.expireDue(ctx.now());
  if (manifestedAt !== undefined && tailMs > 0) {
    progress.phase('wait', `${Math.round(tailMs / 1000)}s after the incident showed`);
    await ctx.sleep(tailMs);
  }
  ctx.phaseDone('wait');
  return manifestedAt;
}
