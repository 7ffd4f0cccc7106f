import { z } from 'zod';
import { formatEntityId } from '../../entities/entity-id.js';
import { InvalidInputError } from '../../errors/invalid-input-error.js';
import { failedCallAlerts } from '../support/unavailability-alerts.js';
import { requireObject } from '../support/object-snapshot.js';
import { startChaos, workloadName, workloadOf } from '../support/chaos-fault.js';
import type { FaultType } from '../fault-type.js';

const params = z.strictObject({
  name: workloadName.meta({
    description: "The Service name whose lookups fail, in the target's namespace, e.g. catalog",
  }),
  mode: z.enum(['error', 'random']).default('error').meta({
    description:
      '`error`: the lookup fails (no such name); `random`: it answers an address where nothing listens',
  }),
});
type Params = z.output<typeof params>;

const serviceId = (target: { namespace?: string }, name: string): string =>
  formatEntityId({ namespace: target.namespace, kind: 'Service', name });

/** What the app's resolver asks for the name: the short name and every in-cluster form of it. */
export function namesFor(namespace: string, name: string): string[] {
  return [name, `${name}.${namespace}`, `${name}.${namespace}.svc`, `${name}.${namespace}.svc.cluster.local`];
}

export const dnsFailure: FaultType<Params> = {
  id: 'dns-failure',
  description: "One Service name stops resolving (or resolves wrong) for the target's pods.",
  params,
  needs: ['objects', 'dns-chaos'],
  targetKinds: ['Deployment'],
  // The lookups of the target's pods are what is broken; the name they ask for is an alias.
  groundTruth: (target) => [formatEntityId(target)],
  aliases: (target, p) => ({ [formatEntityId(target)]: [serviceId(target, p.name)] }),
  expectedAlerts: (_target, p) => failedCallAlerts(p.name),
  async inject(ctx) {
    await requireObject(ctx.target.objects, ctx.entity);
    const ns = ctx.entity.namespace ?? 'default';
    if (!(await ctx.target.objects.get('Service', ns, ctx.params.name))) {
      throw new InvalidInputError(
        `params.name: Service ${serviceId(ctx.entity, ctx.params.name)} does not exist`,
      );
    }
    return startChaos(ctx, {
      kind: 'dns',
      action: ctx.params.mode,
      from: workloadOf(ctx.entity),
      names: namesFor(ns, ctx.params.name),
    });
  },
};
