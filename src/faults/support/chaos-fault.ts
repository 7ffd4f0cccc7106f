import { z } from 'zod';
import { formatEntityId, type EntityId, type EntityRef } from '../../entities/entity-id.js';
import { InvalidInputError } from '../../errors/invalid-input-error.js';
import type {
  ChaosExperiment,
  NetworkDirection,
  NetworkExperiment,
  WorkloadRef,
} from '../../platform/chaos-api.js';
import type { FaultContext, FaultType, Undo } from '../fault-type.js';
import { requireObject } from './object-snapshot.js';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** A Deployment of the target's namespace, by name: the other end of a network fault. */
export const workloadName = z
  .string()
  .max(63)
  .regex(DNS_LABEL, 'must be a Deployment name (a lower-case DNS label), e.g. checkout');

/** Params every network fault between two workloads takes. */
export const linkParams = {
  from: workloadName.meta({
    description: 'The calling Deployment (same namespace as the target); the target is the one it calls',
  }),
  port: z
    .number()
    .int()
    .min(1)
    .max(65535)
    .optional()
    .meta({ description: 'Only traffic to this container port of the target; default every port' }),
};

export const directionParam = (dflt: NetworkDirection) =>
  z.enum(['to', 'from', 'both']).default(dflt).meta({
    description:
      'Which packets: `to` what the caller sends (requests), `from` what the target sends back (responses), `both`',
  });

/** Percent as tc netem takes it, 0 < x ≤ 100. */
export const percentParam = (what: string) =>
  z
    .number()
    .gt(0)
    .max(100)
    .meta({ description: `Share of packets ${what}, percent` });

export const correlationParam = z
  .number()
  .min(0)
  .max(100)
  .default(0)
  .meta({ description: "How much each packet's chance depends on the previous one's, percent (netem)" });

export const workloadOf = (ref: EntityRef): WorkloadRef => ({
  namespace: ref.namespace ?? 'default',
  name: ref.name,
});

/** `shop/Deployment/<from>`: the other end of a link, named by the target's namespace. */
export function callerId(target: EntityRef, from: string): EntityId {
  return formatEntityId({ namespace: target.namespace, kind: 'Deployment', name: from });
}

/**
 * Checks both ends exist and differ before anything starts: a Chaos Mesh selector or a proxy rule that
 * matches no pod is accepted silently and stages nothing.
 */
export async function requireLink(ctx: FaultContext<{ from: string }>): Promise<void> {
  const objects = ctx.target.objects;
  await requireObject(objects, ctx.entity);
  if (ctx.params.from === ctx.entity.name) {
    throw new InvalidInputError(
      `params.from names the target itself (${ctx.entity.name}); name the Deployment that calls it`,
    );
  }
  const caller = { namespace: ctx.entity.namespace, kind: 'Deployment', name: ctx.params.from };
  if (!(await objects.get('Deployment', caller.namespace, caller.name))) {
    throw new InvalidInputError(`params.from: Deployment ${formatEntityId(caller)} does not exist`);
  }
}

/** The experiment's link between the caller (`from`) and the target. */
export function link(
  ctx: FaultContext<{ from: string; port?: number }>,
  direction: NetworkDirection,
): Pick<NetworkExperiment, 'kind' | 'from' | 'to' | 'direction' | 'port'> {
  return {
    kind: 'network',
    from: { namespace: ctx.entity.namespace ?? 'default', name: ctx.params.from },
    to: workloadOf(ctx.entity),
    direction,
    ...(ctx.params.port !== undefined ? { port: ctx.params.port } : {}),
  };
}

/** Starts the experiment; the engine has taken back whatever it started when this rejects. */
export async function startChaos(ctx: FaultContext<unknown>, experiment: ChaosExperiment): Promise<Undo> {
  const running = await ctx.target.chaos.start(experiment, ctx.signal);
  ctx.logger.info({ experiment }, `chaos experiment in force: ${running.description}`);
  return { description: running.description, undo: () => running.stop() };
}

/**
 * The network faults between a caller (`params.from`) and the target share their shape: both ends checked,
 * one experiment started, its stop as the undo. Ground truth is the target, the caller an alias (see
 * docs/faults.md, "Network and resource chaos").
 */
export function linkFault<P extends { from: string; port?: number; direction: NetworkDirection }>(def: {
  id: string;
  description: string;
  params: z.ZodType<P>;
  action: NetworkExperiment['action'];
  settings: (p: P) => Partial<Pick<NetworkExperiment, 'delay' | 'loss' | 'corrupt' | 'bandwidth'>>;
  expectedAlerts: (target: EntityRef, p: P) => string[];
  /** Both ends are root causes (a partition); default the target alone. */
  bothEnds?: boolean;
}): FaultType<P> {
  return {
    id: def.id,
    description: def.description,
    params: def.params,
    needs: ['objects', 'network-chaos'],
    targetKinds: ['Deployment'],
    groundTruth: (target, p) =>
      def.bothEnds ? [formatEntityId(target), callerId(target, p.from)] : [formatEntityId(target)],
    aliases: (target, p) => (def.bothEnds ? {} : { [formatEntityId(target)]: [callerId(target, p.from)] }),
    expectedAlerts: def.expectedAlerts,
    async inject(ctx) {
      await requireLink(ctx);
      return startChaos(ctx, {
        ...link(ctx, ctx.params.direction),
        action: def.action,
        ...def.settings(ctx.params),
      });
    },
  };
}
