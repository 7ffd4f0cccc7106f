import { formatEntityId } from '../../entities/entity-id.js';
import type { ActivityContext, ActivityOutcome } from '../activity-kind.js';
import type { PlannedAction } from '../background-action.js';
import { eligibleDeployments, pickFrom, serviceOf } from '../eligible.js';

/**
 * Sets one run-time setting and returns its undo. Background never holds a key twice at once: a second
 * action on it would replace the first one's value, and the first one's undo would clear both.
 */
export async function holdSetting(
  ctx: ActivityContext,
  key: string,
  value: unknown,
): Promise<() => Promise<void>> {
  ctx.heldSettings.add(key);
  await ctx.target.flags.set(key, value);
  return async () => {
    await ctx.target.flags.remove(key);
    ctx.heldSettings.delete(key);
  };
}

/** `fraction` (from the plan) of one service's requests answered `status`, held as settingBlip holds. */
export function errorShareBlip(
  action: PlannedAction,
  ctx: ActivityContext,
  status: number,
  suffix = '',
  only?: readonly string[],
): Promise<ActivityOutcome> {
  const fraction = Number(action.params.fraction);
  return settingBlip(
    action,
    ctx,
    'errors',
    { fraction, status },
    `${(fraction * 100).toFixed(1)} % of requests answered ${status}${suffix}`,
    only,
  );
}

/**
 * A service's run-time setting held for the action's duration and cleared afterwards: the shop really
 * slows down or fails a little, below the alert thresholds. `only` restricts the services it may pick;
 * services whose setting another action or a fault holds are left out.
 */
export async function settingBlip(
  action: PlannedAction,
  ctx: ActivityContext,
  setting: string,
  value: unknown,
  describe: string,
  only?: readonly string[],
): Promise<ActivityOutcome> {
  // The scenario's targets too: a setting is a key of its own, and the faults' keys are held from the start
  // (runner/run-scenario.ts). Were the faulty service the one no routine activity ever touched, its quiet
  // would name it.
  const candidates = (await eligibleDeployments(ctx, { withService: true, includeExcluded: true })).filter(
    (d) => {
      const service = serviceOf(d) ?? '';
      return (!only || only.includes(service)) && !ctx.heldSettings.has(`${service}.${setting}`);
    },
  );
  const d = pickFrom(candidates, action.pick);
  const service = d ? serviceOf(d) : undefined;
  if (!d || !service) return { target: null, detail: `no service for ${setting}` };
  return {
    target: formatEntityId({ namespace: ctx.namespace, kind: 'Deployment', name: d.metadata.name }),
    detail: describe,
    undo: await holdSetting(ctx, `${service}.${setting}`, value),
  };
}
