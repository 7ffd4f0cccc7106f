import { z } from 'zod';
import { formatEntityId } from '../../entities/entity-id.js';
import { InvalidInputError } from '../../errors/invalid-input-error.js';
import { containersOf } from '../../kube/containers.js';
import { podSpecOf } from '../../kube/pod-template.js';
import { requireObject } from '../support/object-snapshot.js';
import { startChaos, workloadOf } from '../support/chaos-fault.js';
import type { FaultType } from '../fault-type.js';

const CLOCKS = [
  'CLOCK_REALTIME',
  'CLOCK_MONOTONIC',
  'CLOCK_PROCESS_CPUTIME_ID',
  'CLOCK_THREAD_CPUTIME_ID',
  'CLOCK_MONOTONIC_RAW',
  'CLOCK_REALTIME_COARSE',
  'CLOCK_MONOTONIC_COARSE',
  'CLOCK_BOOTTIME',
  'CLOCK_REALTIME_ALARM',
  'CLOCK_BOOTTIME_ALARM',
] as const;

const params = z.strictObject({
  offsetMs: z
    .number()
    .int()
    .min(-31_536_000_000)
    .max(31_536_000_000)
    .refine((v) => v !== 0, { message: 'must not be 0 (nothing would change)' })
    .meta({ description: "How far the container's clock is moved, ms; negative moves it into the past" }),
  clockIds: z
    .array(z.enum(CLOCKS))
    .min(1)
    .default(['CLOCK_REALTIME'])
    .meta({ description: 'Clocks moved; default the wall clock only' }),
  container: z
    .string()
    .min(1)
    .optional()
    .meta({ description: 'Container whose clock moves; default every one' }),
});
type Params = z.output<typeof params>;

export const clockSkew: FaultType<Params> = {
  id: 'clock-skew',
  description: "The target's containers see a wrong time: their clock is moved by an offset.",
  params,
  needs: ['objects', 'time-chaos'],
  targetKinds: ['Deployment'],
  groundTruth: (target) => [formatEntityId(target)],
  // Nothing in the shop's rules watches clocks: the evidence is in timestamps (logs, spans), not alerts.
  expectedAlerts: () => [],
  async inject(ctx) {
    const deploy = await requireObject(ctx.target.objects, ctx.entity);
    const names = containersOf(podSpecOf(deploy)).map((c) => c.name);
    if (ctx.params.container && !names.includes(ctx.params.container)) {
      throw new InvalidInputError(
        `params.container: ${formatEntityId(ctx.entity)} has no container ${ctx.params.container}; it has ${names.join(', ')}`,
      );
    }
    return startChaos(ctx, {
      kind: 'time',
      workload: workloadOf(ctx.entity),
      ...(ctx.params.container ? { container: ctx.params.container } : {}),
      offsetMs: ctx.params.offsetMs,
      clockIds: [...ctx.params.clockIds],
    });
  },
};
