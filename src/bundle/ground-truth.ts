import { z } from 'zod';
import { tryParseEntityId } from '../entities/entity-id.js';

/** `truth/ground_truth.json`: never shown to an agent. */
export const PropagationSchema = z.object({
  symptom: z.string(),
  alerts: z.array(z.string()),
  reached: z.boolean(),
  path: z.array(
    z.object({ from: z.string(), to: z.string(), edge: z.string(), effects: z.array(z.string()) }),
  ),
});

export const RootCauseSchema = z.object({
  /** Canonical entity id (`namespace/Kind/name` or `Kind/name`). */
  id: z.string().min(1),
  /** Other ids that name the same fault: the Deployment's pods, Services selecting them... */
  aliases: z.array(z.string()).default([]),
  /** How the fault reached every entity that alerted (src/truth/propagation.ts). */
  propagation: z.array(PropagationSchema).optional(),
});

export const TruthFaultSchema = z.object({
  type: z.string(),
  target: z.string(),
  params: z.record(z.string(), z.unknown()).default({}),
  injectedAt: z.string().nullable().default(null),
  recoveredAt: z.string().nullable().default(null),
});

/**
 * Two root causes naming one entity (`shop/Deployment/payment` and `shop/deploy/payment`) make a task no
 * answer can win: the right id matches the first, and naming it again is a repeat that gains nothing, so
 * the second stays unmatched and average precision at full recall is 0.
 */
function refuseDuplicateRootCauses(rootCauses: ReadonlyArray<{ id: string }>, ctx: z.RefinementCtx): void {
  const first = new Map<string, number>();
  rootCauses.forEach((rc, i) => {
    const p = tryParseEntityId(rc.id);
    const key = p.ok ? p.id : rc.id.trim();
    const j = first.get(key);
    if (j === undefined) first.set(key, i);
    else
      ctx.addIssue({
        code: 'custom',
        path: [i, 'id'],
        message: `root cause ${JSON.stringify(rc.id)} is ${key}, the same entity as rootCauses.${j}; no answer could match both`,
      });
  });
}

export const GroundTruthSchema = z.object({
  format: z.literal(1),
  scenarioId: z.string(),
  rootCauses: z.array(RootCauseSchema).min(1).superRefine(refuseDuplicateRootCauses),
  faults: z.array(TruthFaultSchema).default([]),
  injectedAt: z.string().nullable().default(null),
  manifestedAt: z.string().nullable().default(null),
  expectedAlerts: z.array(z.string()).default([]),
  firedAlerts: z.array(z.string()).default([]),
});

export type RootCauseRecord = z.infer<typeof RootCauseSchema>;
export type GroundTruth = z.infer<typeof GroundTruthSchema>;
