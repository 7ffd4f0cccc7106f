import { z } from 'zod';
import type { Metrics } from '../grade/score.js';

/**
 * How an attempt ended (docs/eval.md). The first five count in every mean (a failure scores 0);
 * `interrupted` and `harness-error` are the harness's, not the agent's: they are listed, left out of
 * the means, and redone by `--resume`.
 */
export const OUTCOMES = [
  'scored',
  'timed-out',
  'crashed',
  'no-answer',
  'malformed-answer',
  'interrupted',
  'harness-error',
] as const;
export type Outcome = (typeof OUTCOMES)[number];

export function counts(outcome: Outcome): boolean {
  return outcome !== 'interrupted' && outcome !== 'harness-error';
}

const AcAtSchema = z.object({
  '1': z.number(),
  '2': z.number(),
  '3': z.number(),
  '4': z.number(),
  '5': z.number(),
});

export const MetricsSchema = z.object({
  apFullRecall: z.number(),
  precisionAtFullRecall: z.number(),
  precision: z.number(),
  recall: z.number(),
  f1: z.number(),
  acAt: AcAtSchema,
});

export const CapturedOutputSchema = z.object({
  bytes: z.number(),
  head: z.string(),
  tail: z.string(),
  omitted: z.number(),
});

export const AttemptRecordSchema = z.object({
  /** `<bundleId>/<attempt>`: unique in an eval, the key resume and merge use. */
  key: z.string(),
  bundleId: z.string(),
  scenarioId: z.string(),
  bundleRepeat: z.number().int(),
  /** The agent's repeat on this bundle, 0-based. */
  attempt: z.number().int().nonnegative(),
  difficulty: z.string().nullable(),
  tags: z.array(z.string()),
  outcome: z.enum(OUTCOMES),
  /** One line: the exit status, what was wrong with the answer, what the harness hit. */
  detail: z.string(),
  exitCode: z.number().int().nullable(),
  signal: z.string().nullable(),
  startedAt: z.string(),
  /** The agent's own wall time, start to end of its process. */
  wallMs: z.number(),
  /** Everything else the attempt took: copying the snapshot, grading, cleaning up. */
  overheadMs: z.number(),
  /** Zero for every outcome but `scored`. */
  metrics: MetricsSchema,
  matched: z.array(z.string()),
  unmatched: z.array(z.string()),
  /** What the agent answered (for every outcome that left a readable answer), first entries only. */
  answer: z
    .object({
      entities: z.array(z.string().nullable()),
      count: z.number().int(),
      bytes: z.number().int(),
      /** Relative to the eval directory. */
      file: z.string().nullable(),
    })
    .nullable(),
  warnings: z.array(z.string()),
  stdout: CapturedOutputSchema,
  stderr: CapturedOutputSchema,
  /** Processes of the agent still alive after its own ended, all killed. */
  leftovers: z.number().int(),
  /** Snapshot paths the agent changed despite the read-only copy (its own copy; flagged, not fatal). */
  snapshotChanged: z.array(z.string()),
  shard: z.string().nullable(),
});
export type AttemptRecord = z.infer<typeof AttemptRecordSchema>;

export const ZERO_METRICS: Metrics = {
  apFullRecall: 0,
  precisionAtFullRecall: 0,
  precision: 0,
  recall: 0,
  f1: 0,
  acAt: { '1': 0, '2': 0, '3': 0, '4': 0, '5': 0 },
};

/** The attempt named every root cause and ranked none below a wrong entity: what pass^k counts. */
export function isCorrect(a: Pick<AttemptRecord, 'outcome' | 'metrics'>): boolean {
  return a.outcome === 'scored' && a.metrics.apFullRecall === 1;
}

/** `eval.json`: how an eval was run; resume and merge refuse to mix attempts run differently. */
export const EvalConfigSchema = z.object({
  format: z.literal(1),
  toolVersion: z.string(),
  createdAt: z.string(),
  corpus: z.string(),
  agent: z.string(),
  repeats: z.number().int().positive(),
  timeoutMs: z.number().int().positive(),
  graceMs: z.number().int().nonnegative(),
  omit: z.array(z.string()),
  isolate: z.boolean(),
  /** The account agents ran as; null: firedrill's own. */
  user: z.string().nullable(),
  /** Names of the variables given with --env (never their values). */
  env: z.array(z.string()),
  only: z.array(z.string()),
  shard: z.string().nullable(),
});
export type EvalConfig = z.infer<typeof EvalConfigSchema>;

/** What must match for attempts to be comparable (resume, merge). */
export const SAME_RUN_FIELDS = ['agent', 'timeoutMs', 'omit', 'isolate', 'user'] as const;
