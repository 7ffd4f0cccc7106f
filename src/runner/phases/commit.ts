import type { BundleWriter } from '../../bundle/bundle-writer.js';
import { findLeaks, type LeakFinding } from '../../bundle/leak-rule.js';
import { SNAPSHOT_DIR } from '../../bundle/layout.js';
import { scenarioHash } from '../../scenario/scenario-hash.js';
import { leakTerms } from '../leak-terms.js';
import { expectedAlertsByCause } from '../attribution-check.js';
import type { RunContext } from '../run-context.js';
import { incidentFiredAlerts, isManifested, runChecks } from '../run-checks.js';
import type { Captured } from './capture.js';

export interface Committed {
  bundleDir: string;
  manifested: boolean;
  leaks: LeakFinding[];
}

/**
 * Checks the snapshot for leaks, then writes the manifest and renames the bundle into place. Nothing
 * is committed after an interrupt, so no bundle is left that looks complete.
 */
export async function commitPhase(
  ctx: RunContext,
  writer: BundleWriter,
  captured: Captured,
  times: { t0: number; injectedAt: number | undefined; manifestedAt: number | undefined },
): Promise<Committed> {
  const { scenario, registry, logger, substrate } = ctx.req;
  ctx.checkAbort();
  const leaks = await findLeaks(`${writer.tmpDir}/${SNAPSHOT_DIR}`, leakTerms(scenario, registry));
  for (const l of leaks) logger.warn({ leak: l }, 'snapshot names the fault or the testbed');
  const manifested = isManifested(
    scenario,
    times.manifestedAt,
    incidentFiredAlerts(captured.fired, captured.cap.alerts, times.injectedAt, captured.backgroundAlerts),
  );
  const checks = runChecks({
    scenario,
    manifested,
    manifestedAt: times.manifestedAt,
    injectedAt: times.injectedAt,
    t0: times.t0,
    now: ctx.now(),
    firedAlerts: captured.fired,
    alerts: captured.cap.alerts,
    backgroundAlerts: captured.backgroundAlerts,
    leaks,
    truth: captured.truth,
    expectedFor: expectedAlertsByCause(scenario),
  });
  ctx.checkAbort();
  const bundleDir = await writer.commit(
    {
      scenarioId: scenario.metadata.id,
      scenarioHash: scenarioHash(scenario),
      seed: ctx.req.seed,
      repeat: ctx.req.repeat,
      substrate: substrate.name,
      times: {
        windowStart: captured.window.start.toISOString(),
        windowEnd: captured.window.end.toISOString(),
        injectedAt: captured.truth.injectedAt,
        manifestedAt: captured.truth.manifestedAt,
        capturedAt: new Date(ctx.now()).toISOString(),
      },
      manifested,
      environment: await substrate.environment(),
      checks,
    },
    { replace: ctx.req.replace },
  );
  ctx.phaseDone('commit');
  return { bundleDir, manifested, leaks };
}
