import { APP_NAMESPACE, SYSTEM_NAMESPACE } from '../../platform/app-namespaces.js';
import { applyLoad } from '../../substrates/apply-load.js';
import { waitDeploymentsReady } from '../../substrates/wait-healthy.js';
import type { FaultSession } from '../fault-session.js';
import type { RunContext } from '../run-context.js';

/** How long the testbed's own Deployments (load generator, settings) may take after the load changed. */
export const SYSTEM_READY_TIMEOUT_MS = 120_000;

/** How long the app's Deployments may take to be ready again after the scenario's preconditions. */
export const PRECONDITIONS_READY_TIMEOUT_MS = 120_000;

/**
 * App back to its baseline, the run's load (the scenario's, varied per run) applied, the testbed's own
 * workloads ready, then the scenario's preconditions made (through `setup`, which takes them back at the
 * end of the run) and the app ready again. They belong to the reset, not the run: what they make dates
 * from before the run's history, as the rest of the app does. Returns when the reset started (what the app is made of from then on is this run's) and
 * when the run may start (what happens from then on is the run's own).
 */
export async function resetPhase(
  ctx: RunContext,
  setup: FaultSession,
): Promise<{ resetStart: number; runStart: number }> {
  // On a fresh second, so that nothing older shares a second with what the reset makes.
  await toNextSecond(ctx);
  const resetStart = ctx.now();
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
  const preconditions = ctx.req.scenario.spec.preconditions ?? [];
  if (preconditions.length > 0) {
    progress.phase(
      'reset',
      `preconditions: ${preconditions.map((p) => `${p.type} → ${p.target}`).join(', ')}`,
    );
    for (const p of preconditions) {
      ctx.checkAbort();
      await setup.inject(p, ctx.now());
    }
    // A precondition leaves the app healthy (it is how the app stood, not the incident): one that does
    // not is refused here, by name of the Deployments not ready, before any run time is spent.
    await waitDeploymentsReady(
      substrate.faultTarget.objects,
      [APP_NAMESPACE],
      PRECONDITIONS_READY_TIMEOUT_MS,
      signal,
    );
    ctx.checkAbort();
  }
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
