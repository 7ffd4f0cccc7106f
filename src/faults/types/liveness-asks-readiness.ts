import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import { formatEntityId } from '../../entities/entity-id.js';
import { InvalidInputError } from '../../errors/invalid-input-error.js';
import type { KubeObject } from '../../kube/kube-object.js';
import type { FaultType } from '../fault-type.js';
import { applyPlanned, containerOf, planChange } from '../support/object-snapshot.js';
import { portNumber } from '../support/probe-change.js';

const params = z.strictObject({
  container: z
    .string()
    .min(1)
    .optional()
    .meta({ description: 'Container whose liveness probe changes; default the first' }),
});
type Params = z.output<typeof params>;

/**
 * Points the container's liveness probe at what its readiness probe asks (path and port), keeping the
 * liveness probe's own timing. A service's readiness check usually tests its dependencies, so the kubelet
 * now restarts the container whenever one of them is down: the well-known "deep liveness check". Nothing
 * breaks while the dependencies answer, so it is a latent condition (a scenario's precondition) that a
 * dependency's outage later turns into a crash loop of this service. Both substrates' kubelets run
 * liveness probes on a path the container serves, so it needs no real kubelet.
 */
export function pointLivenessAtReadiness(deploy: KubeObject, container?: string): void {
  const c = containerOf(deploy, container);
  const where = `container ${c.name} of Deployment ${deploy.metadata.namespace ?? ''}/${deploy.metadata.name}`;
  const ready = c.readinessProbe?.httpGet;
  const live = c.livenessProbe;
  if (!ready)
    throw new InvalidInputError(`${where} has no HTTP readiness probe for its liveness probe to ask`);
  if (!live) throw new InvalidInputError(`${where} has no liveness probe to point at its readiness check`);
  // What the kubelet asks (path and port, a port name resolved), not how the manifest spells it.
  const asked = (g: typeof ready | undefined) => g && { path: g.path ?? '/', port: portNumber(c, g.port) };
  if (isDeepStrictEqual(asked(live.httpGet), asked(ready)))
    throw new InvalidInputError(
      `the liveness probe of ${where} already asks its readiness check; nothing would change`,
    );
  const next = { ...structuredClone(live), httpGet: structuredClone(ready) };
  delete next.tcpSocket;
  delete next.exec;
  delete next.grpc;
  c.livenessProbe = next;
}

export const livenessAsksReadiness: FaultType<Params> = {
  id: 'liveness-asks-readiness',
  description:
    'Rolls out the target Deployment with its liveness probe asking its readiness check (restarted whenever a dependency it checks is down); a latent condition, silent on its own.',
  params,
  needs: ['objects', 'rollouts', 'pod-lifecycle'],
  targetKinds: ['Deployment'],
  groundTruth: (target) => [formatEntityId(target)],
  // Nothing fires while every dependency answers: its alerts are those of the outage that exposes it.
  expectedAlerts: () => [],
  asDeployed(manifests, target, p) {
    const d = manifests.find(
      (o) =>
        o.kind === 'Deployment' &&
        o.metadata.namespace === target.namespace &&
        o.metadata.name === target.name,
    );
    if (!d) throw new InvalidInputError(`the app's manifests have no Deployment ${formatEntityId(target)}`);
    pointLivenessAtReadiness(d, p.container);
  },
  async inject(ctx) {
    const plan = await planChange(ctx.target.objects, ctx.entity, (d) =>
      pointLivenessAtReadiness(d, ctx.params.container),
    );
    return applyPlanned(
      ctx.target.objects,
      ctx.logger,
      plan,
      `restore Deployment ${formatEntityId(ctx.entity)}`,
    );
  },
};
