import { z } from 'zod';
import { formatEntityId } from '../../entities/entity-id.js';
import type { FaultContext, FaultType, Undo } from '../fault-type.js';
import { requireObject } from '../support/object-snapshot.js';
import { livePodsOf } from '../support/restart-pods.js';
import { unavailabilityAlerts } from '../support/unavailability-alerts.js';
import { abortableDelay } from '../../util/clock.js';

const params = z.strictObject({
  count: z
    .union([z.number().int().min(1), z.literal('all')])
    .default(1)
    .meta({ description: 'Pods deleted per round' }),
  everyMs: z
    .number()
    .int()
    .min(0)
    .default(0)
    .meta({ description: 'Repeat the deletion at this interval until the fault ends; 0 deletes once' }),
});
type Params = z.output<typeof params>;

async function killRound(ctx: FaultContext<Params>): Promise<string[]> {
  const deploy = await requireObject(ctx.target.objects, ctx.entity);
  const pods = await livePodsOf(ctx.target.objects, deploy);
  const victims = ctx.params.count === 'all' ? pods : pods.slice(0, ctx.params.count);
  for (const p of victims) await ctx.target.objects.delete('Pod', p.metadata.namespace, p.metadata.name);
  return victims.map((p) => p.metadata.name);
}

/** Deletes the target's pods (once, or repeatedly); the Deployment replaces them, so undo only stops the loop. */
export const podKill: FaultType<Params> = {
  id: 'pod-kill',
  description: "Deletes the target Deployment's pods, once or repeatedly; the controller recreates them.",
  params,
  needs: ['objects', 'pod-lifecycle'],
  targetKinds: ['Deployment'],
  groundTruth: (target) => [formatEntityId(target)],
  expectedAlerts: (target) => unavailabilityAlerts(target),
  async inject(ctx) {
    const stop = new AbortController();
    const killed = await killRound(ctx);
    ctx.logger.info({ pods: killed }, 'deleted pods');
    let loop: Promise<void> = Promise.resolve();
    if (ctx.params.everyMs > 0) {
      const signal = AbortSignal.any([stop.signal, ctx.signal]);
      loop = (async () => {
        while (!signal.aborted) {
          try {
            await abortableDelay(ctx.params.everyMs, signal);
            ctx.logger.info({ pods: await killRound(ctx) }, 'deleted pods');
          } catch (err) {
            if (!signal.aborted) ctx.logger.warn({ err }, 'pod deletion round failed');
          }
        }
      })();
    }
    const undo: Undo = {
      description: `stop deleting pods of ${formatEntityId(ctx.entity)}`,
      undo: async () => {
        stop.abort();
        await loop;
      },
    };
    return undo;
  },
};
