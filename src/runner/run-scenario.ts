import { BundleWriter } from '../bundle/bundle-writer.js';
import { DEFAULT_SCOPE } from '../capture/capture-scope.js';
import { FaultSession } from './fault-session.js';
import { capturePhase } from './phases/capture.js';
import { commitPhase } from './phases/commit.js';
import { injectPhase } from './phases/inject.js';
import { recoverPhase } from './phases/recover.js';
import { resetPhase } from './phases/reset.js';
import { waitForIncidentPhase } from './phases/wait-for-incident.js';
import { warmUpPhase } from './phases/warm-up.js';
import { RunContext } from './run-context.js';
import type { RunOutcome, RunRequest } from './run-request.js';

export type { RunOutcome, RunRequest } from './run-request.js';

/**
 * One run of one scenario, as named phases: reset → warm up → inject → wait for the incident →
 * capture → commit → recover. Faults are always recovered, whatever happens (errors, Ctrl-C); a bundle
 * is committed only when complete, so an interrupted run leaves none.
 */
export async function runScenario(req: RunRequest): Promise<RunOutcome> {
  const ctx = new RunContext(req);
  const scope = req.scope ?? DEFAULT_SCOPE;
  await resetPhase(ctx);
  const faults = new FaultSession(
    req.registry,
    req.substrate,
    req.logger.child({ component: 'faults' }),
    req.signal,
  );
  let writer: BundleWriter | undefined;
  let committed = false;
  try {
    const warmupStart = await warmUpPhase(ctx);
    const t0 = ctx.now();
    await injectPhase(ctx, faults, t0);
    const manifestedAt = await waitForIncidentPhase(ctx, faults, t0, scope);
    writer = await BundleWriter.create(req.outDir, req.bundleId);
    const captured = await capturePhase(ctx, writer, faults, { warmupStart, t0, manifestedAt }, scope);
    const done = await commitPhase(ctx, writer, captured, {
      t0,
      injectedAt: faults.firstInjectedAt(),
      manifestedAt,
    });
    committed = true;
    req.logger.info(
      {
        bundleDir: done.bundleDir,
        manifested: done.manifested,
        counts: captured.cap.counts,
        collectorsMs: captured.cap.timingsMs,
      },
      'bundle written',
    );
    await recoverPhase(ctx, faults);
    // The scenario's own waits: warmup, time to manifest (or its timeout) and the window after it.
    const waited = (ctx.timings.warmup ?? 0) + (ctx.timings.wait ?? 0);
    const total = Object.values(ctx.timings).reduce((a, b) => a + b, 0);
    return {
      bundleDir: done.bundleDir,
      manifested: done.manifested,
      timings: ctx.timings,
      overheadMs: total - waited,
      firedAlerts: captured.fired,
      leaks: done.leaks.length,
    };
  } finally {
    // Whatever happened, nothing stays broken and no half bundle is left.
    await faults.recoverAll().catch((err: unknown) => req.logger.error({ err }, 'fault recovery failed'));
    if (writer && !committed) await writer.abort().catch(() => undefined);
  }
}
