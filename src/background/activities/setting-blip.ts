import { formatEntityId } from '../../entities/entity-id.js';
import type { ActivityContext, ActivityOutcome } from '../activity-kind.js';
import type { PlannedAction } from '../background-action.js';
import { eligibleDeployments, pickFrom, serviceOf } from '../eligible.js';

/**
 * A service's run-time setting held for the action's duration and cleared afterwards: the shop really
 * slows down or fails a little, below the alert thresholds. `only` restricts the services it may pick.
 */
export async function settingBlip(
  action: PlannedAction,
  ctx: ActivityContext,
  setting: string,
  value: unknown,
  describe: string,
  only?: readonly string[],
): Promise<ActivityOutcome> {
  const candidates = (await eligibleDeployments(ctx, { withService: true })).filter(
    (d) => !only || only.includes(serviceOf(d) ?? ''),
  );
  const d = pickFrom(candidates, action.pick);
  const service = d ? serviceOf(d) : undefined;
  if (!d || !service) return { target: null, detail: `no service for ${setting}` };
  const key = `${service}.${setting}`;
  await ctx.target.flags.set(key, value);
  return {
    target: formatEntityId({ namespace: ctx.namespace, kind: 'Deployment', name: d.metadata.name }),
    detail: describe,
    undo: () => ctx.target.flags.remove(key),
  };
}
