import { z } from 'zod';

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

export const GroundTruthSchema = z.object({
  format: z.literal(1),
  scenarioId: z.string(),
  rootCauses: z.array(RootCauseSchema).min(1),
  faults: z.array(TruthFaultSchema).default([]),
  injectedAt: z.string().nullable().default(null),
  manifestedAt: z.string().nullable().default(null),
  expectedAlerts: z.array(z.string()).default([]),
  firedAlerts: z.array(z.string()).default([]),
});

export type RootCauseRecord = z.infer<typeof RootCauseSchema>;
export type GroundTruth = z.infer<typeof GroundTruthSchema>;
