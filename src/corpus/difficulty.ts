import { z } from 'zod';
import type { GroundTruth } from '../bundle/ground-truth.js';
import type { AlertsFile } from '../bundle/records.js';
import { alertEntity } from '../entities/alert-entity.js';
import { matchSet } from '../entities/alias-set.js';
import { parseAnswer } from '../grade/answer.js';
import { scoreAnswer } from '../grade/score.js';

/** A rule-based agent the corpus runs on every snapshot: its ranked answer (entity ids). */
export type ReferenceAgent = (snapshotDir: string) => Promise<string[]>;

export const DIFFICULTY_TIERS = ['trivial', 'moderate', 'hard'] as const;
export type DifficultyTier = (typeof DIFFICULTY_TIERS)[number];

export const DifficultySchema = z.object({
  /** The reference agent's average precision at full recall on this task (null: not measured). */
  referenceAp: z.number().nullable(),
  /** The reference agent's ranked answer, for authors. */
  referenceAnswer: z.array(z.string()),
  /** Whether the entity of the first alert that fired names a root cause (or one of its aliases). */
  firstAlertNamesCause: z.boolean(),
  /** Distinct entities with a firing alert in the window. */
  alertingEntities: z.number().int().nonnegative(),
  /** Hops from the root cause to the first alerting entity along the propagation path (null: not linked). */
  hopsToFirstAlert: z.number().int().nonnegative().nullable(),
  tier: z.enum(DIFFICULTY_TIERS),
});
export type Difficulty = z.infer<typeof DifficultySchema>;

/**
 * How hard a task is for an agent, from its snapshot and truth: trivial when the first alert already names
 * a root cause; hard when it does not and the reference agent scores below 0.5; moderate otherwise.
 */
export function difficultyOf(
  truth: GroundTruth,
  alerts: AlertsFile,
  referenceAnswer: string[] | null,
): Difficulty {
  const causes = truth.rootCauses.map((rc) => matchSet({ id: rc.id, aliases: rc.aliases }));
  const firing = alerts.timeline
    .filter((t) => t.state === 'firing')
    .sort((a, b) => a.start.localeCompare(b.start) || a.alertname.localeCompare(b.alertname));
  const entities = firing.map((t) => alertEntity({ ...t.labels, alertname: t.alertname }));
  const first = entities.find((e) => e !== undefined);
  const firstAlertNamesCause = first !== undefined && causes.some((set) => set.has(first));
  let hops: number | null = null;
  if (first !== undefined) {
    if (firstAlertNamesCause) hops = 0;
    else
      for (const rc of truth.rootCauses)
        for (const p of rc.propagation ?? [])
          if (p.symptom === first && p.reached)
            hops = hops === null ? p.path.length : Math.min(hops, p.path.length);
  }
  const referenceAp =
    referenceAnswer === null
      ? null
      : scoreAnswer(truth, parseAnswer({ entities: referenceAnswer })).apFullRecall;
  const tier: DifficultyTier = firstAlertNamesCause
    ? 'trivial'
    : referenceAp !== null && referenceAp < 0.5
      ? 'hard'
      : 'moderate';
  return {
    referenceAp,
    referenceAnswer: referenceAnswer ?? [],
    firstAlertNamesCause,
    alertingEntities: new Set(entities.filter((e) => e !== undefined)).size,
    hopsToFirstAlert: hops,
    tier,
  };
}
