import { z } from 'zod';
import { formatEntityId } from '../../entities/entity-id.js';
import type { FaultType } from '../fault-type.js';
import { addNodeInitContainer, CONTAINER_NAME, CONTAINER_NAME_MESSAGE } from '../support/init-containers.js';
import { applyPlanned, planChange } from '../support/object-snapshot.js';

export const DEFAULT_MIGRATION_ERROR =
  'migration 0042_add_order_currency failed: connect ECONNREFUSED 10.96.87.14:5432';

const params = z.strictObject({
  container: z.string().optional().meta({
    description:
      'Container whose image, resources and security context the init step reuses; default the first',
  }),
  name: z
    .string()
    .max(63, 'must be at most 63 characters')
    .regex(CONTAINER_NAME, CONTAINER_NAME_MESSAGE)
    .default('migrate')
    .meta({ description: 'Name of the init container (the pre-start step)' }),
  message: z
    .string()
    .min(1, 'must not be empty')
    .max(500, 'must be at most 500 characters')
    .default(DEFAULT_MIGRATION_ERROR)
    .meta({ description: 'Error line the step prints to stderr before it exits' }),
  exitCode: z
    .number()
    .int()
    .min(1, 'must be 1 to 255 (non-zero)')
    .max(255, 'must be 1 to 255 (non-zero)')
    .default(1)
    .meta({ description: 'Exit code of the step (non-zero, so the pod never starts)' }),
});
type Params = z.output<typeof params>;

/** The step's command: print the error and exit non-zero, as a failed schema migration would. */
export function failingStepCommand(message: string, exitCode: number): string[] {
  return ['node', '-e', `console.error(${JSON.stringify(message)}); process.exit(${exitCode});`];
}

/**
 * A release that adds a pre-start step (a schema migration, a config check) which fails: the kubelet
 * restarts the init container with back-off, the new pod stays Pending (Init:CrashLoopBackOff) and
 * unready, and the rollout stalls while the old pods keep serving.
 */
export const initContainerCrash: FaultType<Params> = {
  id: 'init-container-crash',
  description:
    'Rolls out the target Deployment with an init container that exits non-zero (Init:CrashLoopBackOff).',
  params,
  needs: ['objects', 'rollouts', 'init-containers'],
  targetKinds: ['Deployment'],
  groundTruth: (target) => [formatEntityId(target)],
  expectedAlerts: () => ['KubePodNotReady', 'KubePodPending'],
  async inject(ctx) {
    const plan = await planChange(ctx.target.objects, ctx.entity, (d) =>
      addNodeInitContainer(d, {
        source: ctx.params.container,
        name: ctx.params.name,
        command: failingStepCommand(ctx.params.message, ctx.params.exitCode),
      }),
    );
    return applyPlanned(
      ctx.target.objects,
      ctx.logger,
      plan,
      `restore Deployment ${formatEntityId(ctx.entity)}`,
    );
  },
};
