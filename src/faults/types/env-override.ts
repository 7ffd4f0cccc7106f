import { z } from 'zod';
import { formatEntityId } from '../../entities/entity-id.js';
import type { FaultType } from '../fault-type.js';
import { applyPlanned, containerOf, planChange } from '../support/object-snapshot.js';

const params = z.strictObject({
  container: z.string().optional().meta({ description: 'Container to change; default the first' }),
  name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name'),
  value: z.string().meta({ description: 'New value (a bad URL, a wrong port, a bad setting)' }),
});
type Params = z.output<typeof params>;

/**
 * Dependency addresses a shop service calls but does not check for readiness (the readiness checks in
 * apps/shop/src/services/*.ts): a wrong one still lets the new pod become ready, so the rollout completes
 * and the calls fail. Any other wrong value either fails a readiness check (the other dependency addresses,
 * the Redis settings) or stops the service at start (a malformed value); both stall the rollout with the
 * new pod unready while the old one keeps serving, as Kubernetes does with maxUnavailable 0.
 */
const UNCHECKED_DEPENDENCY_VARS: ReadonlyMap<string, readonly string[]> = new Map([
  ['frontend', ['CURRENCY_URL']],
  ['cart', ['CATALOG_URL']],
]);

/** A mistaken environment change rolled out to the target Deployment. */
export const envOverride: FaultType<Params> = {
  id: 'env-override',
  description: 'Rolls out the target Deployment with one environment variable set to a wrong value.',
  params,
  needs: ['objects', 'rollouts'],
  targetKinds: ['Deployment'],
  groundTruth: (target) => [formatEntityId(target)],
  expectedAlerts: (target, p) =>
    UNCHECKED_DEPENDENCY_VARS.get(target.name)?.includes(p.name)
      ? ['ShopDependencyErrors']
      : ['KubePodNotReady'],
  async inject(ctx) {
    const plan = await planChange(ctx.target.objects, ctx.entity, (d) => {
      const c = containerOf(d, ctx.params.container);
      const env = (c.env ??= []);
      const i = env.findIndex((e) => e.name === ctx.params.name);
      const entry = { name: ctx.params.name, value: ctx.params.value };
      if (i >= 0) env[i] = entry;
      else env.push(entry);
    });
    return applyPlanned(
      ctx.target.objects,
      ctx.logger,
      plan,
      `restore Deployment ${formatEntityId(ctx.entity)}`,
    );
  },
};
