import type { EntityId } from '../entities/entity-id.js';

/** The kinds of background activity, one file each under activities/. */
export const ACTIVITY_KINDS = [
  'rollout',
  'scale',
  'job',
  'failing-job',
  'reschedule',
  'probe-restart',
  'latency-blip',
  'error-blip',
  'chronic-errors',
  'cache-bypass',
  'release',
  'config-edit',
  'error-burst',
] as const;
export type ActivityKindId = (typeof ACTIVITY_KINDS)[number];

/** One planned background action: what, when (from the start of the warmup), and its seeded choices. */
export interface PlannedAction {
  kind: ActivityKindId;
  /** Milliseconds after the warmup started. */
  atMs: number;
  /** A uniform draw in [0, 1) that picks the target among the eligible ones when the action runs. */
  pick: number;
  /** How long the action holds (blips, scale-ups); absent: it stays until the run ends. */
  durationMs?: number;
  /** Kind-specific values drawn from the seed (a delay, a replica count, which env change). */
  params: Record<string, string | number | boolean>;
}

/** What truth/background.json records of one action that ran. */
export interface BackgroundRecord {
  kind: ActivityKindId;
  /** The entity acted on, or null when no target was eligible (the action was skipped). */
  target: EntityId | null;
  at: string;
  /** When it was taken back (blips, scale-ups, jobs), or null. */
  undoneAt: string | null;
  /** One line, for authors: what was done. */
  detail: string;
  params: Record<string, string | number | boolean>;
}
