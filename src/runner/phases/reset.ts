import { SYSTEM_NAMESPACE } from '../../platform/app-namespaces.js';
import { applyLoad } from '../../substrates/apply-load.js';
import { waitDeploymentsReady } from '../../substrates/wait-healthy.js';
import type { RunContext } from '../run-context.js';

/** How long the testbed's own Deployments (load generator, settings) may take after the load changed. */
export const SYSTEM_READY_TIMEOUT_MS = 120_000;

/**
 * App back to its baseline, the run's load (the scenario's, varied per run) applied, the testbed's own workloads ready. Returns when
 * the reset started: what the app is made of from then on is this run's.
 */
export async function resetPhase(ctx: RunContext): Promise<number> {
  const started = ctx.now();
  const { substrate, progress, signal } = ctx.req;
  progress.phase('reset', 'app back to baseline, waiting for every Deployment to be ready');
  await substrate.reset(signal, progress);
  const { load } = ctx.plan;
  await applyLoad(substrate.faultTarget.objects, { rps: load.rps, seed: ctx.plan.loadSeed, mix: load.mix });
  await waitDeploymentsReady(
    substrate.faultTarget.objects,
    [SYSTEM_NAMESPACE],
    SYSTEM_READY_TIMEOUT_MS,
    signal,
  );
  ctx.checkAbort();
  ctx.phaseDone('reset');
  return started;
}
