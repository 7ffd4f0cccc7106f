import { z } from 'zod';
import { formatEntityId } from '../../entities/entity-id.js';
import { InvalidInputError } from '../../errors/invalid-input-error.js';
import { containersOf } from '../../kube/containers.js';
import { labelsMatch, type KubeObject, type ServicePort } from '../../kube/kube-object.js';
import { podTemplateOf } from '../../kube/pod-template.js';
import { asService } from '../../kube/typed-objects.js';
import type { ObjectApi } from '../../platform/object-api.js';
import type { FaultType } from '../fault-type.js';
import { applyPlanned, planChange } from '../support/object-snapshot.js';
import { unavailabilityAlerts } from '../support/unavailability-alerts.js';

const params = z.strictObject({
  port: z
    .union([z.string().min(1), z.number().int().min(1).max(65535)], {
      error: 'must be a port name or a port number 1-65535',
    })
    .optional()
    .meta({
      description: "Service port to change, by name or port number; default the Service's first port",
    }),
  targetPort: z
    .number()
    .int()
    .min(1)
    .max(65535)
    .default(8081)
    .meta({ description: 'The new targetPort: a port the selected pods do not listen on' }),
});
type Params = z.output<typeof params>;

/** The Service port the params name (the first one by default); refuses a name or number it lacks. */
function pickPort(svc: KubeObject, id: string, port: string | number | undefined): ServicePort {
  const ports = asService(svc)?.spec?.ports ?? [];
  const p =
    port === undefined ? ports[0] : ports.find((x) => (typeof port === 'number' ? x.port : x.name) === port);
  if (p) return p;
  if (ports.length === 0) throw new InvalidInputError(`Service ${id} has no ports`);
  const have = ports.map((x) => (x.name ? `${x.name} (${x.port})` : String(x.port))).join(', ');
  throw new InvalidInputError(`Service ${id} has no port ${JSON.stringify(port)}; its ports: ${have}`);
}

/**
 * Which container of the pods the Service selects declares `port` (as `container port "http" of
 * Deployment shop/cart`), judged from the pod templates of the Deployments in its namespace.
 */
async function declaredListener(
  objects: ObjectApi,
  svc: KubeObject,
  port: number,
): Promise<string | undefined> {
  const selector = asService(svc)?.spec?.selector;
  if (!selector || Object.keys(selector).length === 0) return undefined;
  for (const d of await objects.list('Deployment', svc.metadata.namespace)) {
    const t = podTemplateOf(d);
    if (!labelsMatch(selector, t?.metadata?.labels)) continue;
    for (const c of containersOf(t?.spec)) {
      const p = (c.ports ?? []).find((x) => x.containerPort === port);
      if (p) {
        const name = p.name ? `"${p.name}" ` : '';
        return `container port ${name}of Deployment ${d.metadata.namespace ?? ''}/${d.metadata.name}`;
      }
    }
  }
  return undefined;
}

/**
 * A wrong targetPort on the target Service, as a hand edit or a bad chart value would leave it: the
 * endpoints stay (the pods are ready, since the kubelet probes them directly), but every connection
 * through the Service reaches a port nothing listens on and is refused.
 */
export const serviceTargetPort: FaultType<Params> = {
  id: 'service-target-port',
  description: "Points one of the target Service's ports at a targetPort nothing listens on.",
  params,
  needs: ['objects', 'service-routing'],
  targetKinds: ['Service'],
  groundTruth: (target) => [formatEntityId(target)],
  expectedAlerts: (target) => unavailabilityAlerts(target),
  async inject(ctx) {
    const { objects } = ctx.target;
    const id = formatEntityId(ctx.entity);
    const { targetPort } = ctx.params;
    const plan = await planChange(objects, ctx.entity, (svc) => {
      const p = pickPort(svc, id, ctx.params.port);
      if (p.targetPort === targetPort) {
        throw new InvalidInputError(
          `port ${p.name ?? p.port} of Service ${id} already targets ${targetPort}`,
        );
      }
      p.targetPort = targetPort;
    });
    // A port the selected pods declare would keep the Service working: refuse it before anything changes.
    const listener = await declaredListener(objects, plan.before, targetPort);
    if (listener) {
      throw new InvalidInputError(
        `targetPort ${targetPort} is ${listener}, which Service ${id} selects, so the Service would keep working; choose a port nothing listens on`,
      );
    }
    return applyPlanned(objects, ctx.logger, plan, `restore Service ${id}`);
  },
};
