import { SYSTEM_NAMESPACE } from '../../platform/app-namespaces.js';
import { applyLoad } from '../../substrates/apply-load.js';
import { waitDeploymentsReady } from '../../substrates/wait-healthy.js';
import type { Preconditions } from '../preconditions.js';
import type { RunContext } from '../run-context.js';

/** How long the testbed's own Deployments (load generator, settings) may take after the load changed. */
export const SYSTEM_READY_TIMEOUT_MS = 120_000;

/**
 * App back to its baseline, the run's load (the scenario's, varied per run) applied, the testbed's own
 * workloads ready. The app is deployed with the scenario's preconditions in its manifests (`preconditions`,
 * which puts the manifests' own objects back after the run): how it stood long before the incident, from
 * each workload's first revision on. Returns when the reset started (what the app is made of from then on is this run's) and
 * when the run may start (what happens from then on is the run's own).
 */
export async function resetPhase(
  ctx: RunContext,
  preconditions: Preconditions,
): Promise<{ resetStart: number; runStart: number }> {
  // On a fresh second, so that nothing older shares a second with what the reset makes.
  await toNextSecond(ctx);
  const resetStart = ctx.now();
  const { substrate, progress, signal } = ctx.req;
  progress.phase('reset', 'app back to baseline, waiting for every Deployment to be ready');
  const asDeployed = preconditions.edit();
  if (asDeployed) {
    const list = ctx.req.scenario.spec.preconditions ?? [];
    progress.phase('reset', `deployed with: ${list.map((p) => `${p.type} → ${p.target}`).join(', ')}`);
  }
  await substrate.reset(signal, progress, asDeployed);
  const { load } = ctx.plan;
  await applyLoad(substrate.faultTarget.objects, { rps: load.rps, seed: ctx.plan.loadSeed, mix: load.mix });
  await waitDeploymentsReady(
    substrate.faultTarget.objects,
    [SYSTEM_NAMESPACE],
    SYSTEM_READY_TIMEOUT_MS,
    signal,
  );
  ctx.checkAbort();
  // The run's own history starts on a fresh second too: objects carry whole-second times, so nothing the
  // reset made shares a second with what the run makes (capture/history-shift.ts tells them apart).
  await toNextSecond(ctx);
  ctx.phaseDone('reset');
  return { resetStart, runStart: ctx.now() };
}

/** Waits for the next whole second, unless it is one now. */
async function toNextSecond(ctx: RunContext): Promise<void> {
  const wait = (1000 - (ctx.now() % 1000)) % 1000;
  if (wait > 0) await ctx.sleep(wait);
}
