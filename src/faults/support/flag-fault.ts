import { formatEntityId, type EntityRef } from '../../entities/entity-id.js';
import type { FaultContext, FaultType, Undo } from '../fault-type.js';
import type { z } from 'zod';
import { InvalidInputError } from '../../errors/invalid-input-error.js';
import { requireObject } from './object-snapshot.js';
import { deletePodsOf } from './restart-pods.js';
import { injectOrRollBack } from './roll-back.js';
import { shopServiceOf } from './workloads.js';

/**
 * The five application faults share one mechanism: a run-time setting of the target service in the
 * shop's settings service. This builds such a fault type from its setting name and value mapping.
 */
export function flagFault<P>(def: {
  id: string;
  description: string;
  params: z.ZodType<P>;
  setting: string;
  value: (params: P) => unknown;
  expectedAlerts: (target: EntityRef, params: P) => string[];
  /**
   * Undo also replaces the target's pods, as an operator does after the fact: clearing a setting stops
   * what it started, but memory a process already took stays resident, and would feed the next run.
   */
  replacePodsOnUndo?: boolean;
  /**
   * The shop services whose code reads the setting (e.g. only queue consumers hold reads); a target running
   * another service is refused, since the setting would change nothing there.
   */
  services?: readonly string[];
}): FaultType<P> {
  return {
    id: def.id,
    description: def.description,
    params: def.params,
    needs: ['objects', 'settings'],
    targetKinds: ['Deployment'],
    setting: def.setting,
    // What a process already took (leaked memory, held connections) goes with a restart.
    survivesRestart: def.replacePodsOnUndo !== true,
    groundTruth: (target) => [formatEntityId(target)],
    expectedAlerts: def.expectedAlerts,
    // The settings key names the fault outright; the shop never logs it, and no snapshot may show it.
    leakTerms: (target) => [`${target.name}.${def.setting}`],
    async inject(ctx: FaultContext<P>): Promise<Undo> {
      const service = await shopServiceOf(ctx.target.objects, ctx.entity);
      if (def.services && !def.services.includes(service)) {
        throw new InvalidInputError(
          `target: ${formatEntityId(ctx.entity)} runs shop service ${service}, which does not read setting ${def.setting}; ${def.id} applies to ${def.services.join(', ')}`,
        );
      }
      const key = `${service}.${def.setting}`;
      const { objects, flags } = ctx.target;
      const undo: Undo = def.replacePodsOnUndo
        ? {
            description: `clear setting ${key} and replace the pods of ${formatEntityId(ctx.entity)}`,
            undo: async () => {
              await flags.remove(key);
              await deletePodsOf(objects, await requireObject(objects, ctx.entity));
            },
          }
        : { description: `clear setting ${key}`, undo: () => flags.remove(key) };
      return injectOrRollBack(ctx.logger, undo, () => flags.set(key, def.value(ctx.params)));
    },
  };
}
