import { z } from 'zod';
import { CheckResultSchema } from '../bundle/manifest.js';
import { DifficultySchema } from './difficulty.js';

/** `<out>/corpus/index.json`, format 1 (docs/corpus.md). Validated when read back by resume and merge. */

export const RunTimingsSchema = z.object({
  /** Milliseconds per runner phase: reset, warmup, inject, wait, capture, commit, recover. */
  phases: z.record(z.string(), z.number()),
  /** Sum of the phases. */
  wallMs: z.number(),
  /** Time the testbed spent beyond the scenario's own waits (warm-up, waiting for the incident). */
  overheadMs: z.number(),
  /** wallMs − overheadMs: warm-up plus waiting for the incident to show. */
  waitingMs: z.number(),
});

export const IndexRowSchema = z.object({
  bundleId: z.string(),
  scenarioId: z.string(),
  repeat: z.number().int().nonnegative(),
  seed: z.number().int(),
  substrate: z.string(),
  /** `complete`: the bundle exists and verifies; `failed`: the run threw, no bundle. */
  status: z.enum(['complete', 'failed']),
  /** Every check ok (false for a failed run). */
  valid: z.boolean(),
  checks: z.record(z.string(), CheckResultSchema),
  /** Names of the checks that failed, for grepping. */
  failedChecks: z.array(z.string()),
  /** From the first fault to the expected alerts firing; null when they never did. */
  timeToManifestMs: z.number().nullable(),
  firedAlerts: z.array(z.string()),
  /** From the run (RunOutcome); null when neither the run nor its log could give them. */
  timings: RunTimingsSchema.nullable(),
  bundle: z
    .object({
      path: z.string(),
      bytes: z.number().int().nonnegative(),
      /**
       * The root digest: SHA-256 of the bundle's manifest.json as indexed, which lists every file's
       * SHA-256, so the index pins every byte (src/bundle/root-digest.ts). Absent in indexes written
       * before it was recorded.
       */
      rootSha256: z
        .string()
        .regex(/^[0-9a-f]{64}$/)
        .optional(),
    })
    .nullable(),
  packed: z
    .object({ path: z.string(), bytes: z.number().int().nonnegative(), sha256: z.string() })
    .nullable(),
  /** The HTML report of the bundle, with its ground truth (`reports/<id>.html`); absent in older indexes. */
  report: z.string().nullable().optional(),
  /** `i/n` of the shard that ran it, when sharded. */
  shard: z.string().nullable(),
  error: z.string().nullable(),
  /** The scenario's tags (its patterns: multi-hop, distractor...), for breakdowns. */
  tags: z.array(z.string()).default([]),
  /** How hard the task is (src/corpus/difficulty.ts); null for failed runs or when not measured. */
  difficulty: DifficultySchema.nullable().default(null),
});

const CommandRunSchema = z.object({ id: z.string().min(1), wallMs: z.number() });

export const CorpusIndexSchema = z.object({
  format: z.literal(1),
  toolVersion: z.string(),
  generatedAt: z.string(),
  stabilityThreshold: z.number(),
  /** Wall time of the commands that produced the corpus (one per shard after a merge), ms. */
  commandWallMs: z.array(z.number()),
  /**
   * The same commands with an id each, so a merge counts a shard once however often it is merged and two
   * shards that happened to take the same time twice; absent in indexes written before it was recorded.
   */
  commands: z.array(CommandRunSchema).optional(),
  rows: z.array(IndexRowSchema),
});

export type RunTimings = z.infer<typeof RunTimingsSchema>;
export type IndexRow = z.infer<typeof IndexRowSchema>;
export type CorpusIndex = z.infer<typeof CorpusIndexSchema>;
export type CommandRun = z.infer<typeof CommandRunSchema>;

/**
 * The commands behind an index. An older index has wall times only: each gets an id from its value and
 * its occurrence, which keeps merges of such indexes idempotent (two equal times in one index stay two).
 */
export function commandsOf(index: Pick<CorpusIndex, 'commandWallMs' | 'commands'>): CommandRun[] {
  if (index.commands) return index.commands;
  const seen = new Map<number, number>();
  return index.commandWallMs.map((wallMs) => {
    const n = (seen.get(wallMs) ?? 0) + 1;
    seen.set(wallMs, n);
    return { id: `wall-${wallMs}-${n}`, wallMs };
  });
}

/** Rows in a stable order: scenario, then repeat, then bundle id. */
export function sortRows<T extends Pick<IndexRow, 'scenarioId' | 'repeat' | 'bundleId'>>(rows: T[]): T[] {
  return rows.sort(
    (a, b) =>
      (a.scenarioId < b.scenarioId ? -1 : a.scenarioId > b.scenarioId ? 1 : 0) ||
      a.repeat - b.repeat ||
      (a.bundleId < b.bundleId ? -1 : a.bundleId > b.bundleId ? 1 : 0),
  );
}
