import { APP_NAMESPACE } from '../../platform/app-namespaces.js';
import { waitDeploymentsReady } from '../../substrates/wait-healthy.js';
import type { FaultSession } from '../fault-session.js';
import type { Preconditions } from '../preconditions.js';
import type { RunContext } from '../run-context.js';

export const RECOVER_TIMEOUT_MS = 180_000;

/**
 * Every fault taken back, newest first, then the manifests' own objects where preconditions changed them,
 * then the app's Deployments ready again.
 */
export async function recoverPhase(
  ctx: RunContext,
  faults: FaultSession,
  preconditions?: Preconditions,
): Promise<void> {
  const { substrate, progress, signal } = ctx.req;
  progress.phase('recover', 'undoing faults, waiting for the app to be healthy');
  await faults.recoverAll();
  await preconditions?.restore(substrate.faultTarget.objects);
  await waitDeploymentsReady(
    substrate.faultTarget.objects,
    [APP_NAMESPACE],
    ctx.req.recoverTimeoutMs ?? RECOVER_TIMEOUT_MS,
    signal,
  );
  ctx.phaseDone('recover');
}
