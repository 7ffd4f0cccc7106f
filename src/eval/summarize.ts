import { meanMetrics } from '../grade/aggregate.js';
import { AC_KS, type Metrics } from '../grade/score.js';
import { counts, isCorrect, OUTCOMES, type AttemptRecord, type Outcome } from './records.js';
import { bootstrapMean, mean, median, passHatK, quantile, sd, type Estimate } from './stats.js';

/** The metrics an eval reports with intervals, in the order tables show them. */
export const METRIC_NAMES = [
  'apFullRecall',
  'precisionAtFullRecall',
  'precision',
  'recall',
  'f1',
  ...AC_KS.map((k) => `AC@${k}` as const),
] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

export function metricValue(m: Metrics, name: MetricName): number {
  if (name.startsWith('AC@')) return m.acAt[name.slice(3) as keyof Metrics['acAt']];
  return m[name as Exclude<MetricName, `AC@${string}`>];
}

export type OutcomeCounts = Record<Outcome, number>;

function zeroCounts(): OutcomeCounts {
  return Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as OutcomeCounts;
}

export interface BundleSummary {
  bundleId: string;
  bundleRepeat: number;
  /** Attempts that count (not interrupted, no harness error). */
  attempts: number;
  correct: number;
  metrics: Metrics;
  /** pass^k for k = 1..attempts. */
  passK: Record<string, number>;
}

export interface TaskSummary {
  scenarioId: string;
  difficulty: string | null;
  tags: string[];
  bundles: BundleSummary[];
  /** Counted attempts over all its bundles. */
  attempts: number;
  outcomes: OutcomeCounts;
  /** Mean over bundles of each bundle's mean over attempts. */
  metrics: Metrics;
  /** Mean over bundles; null for a k no bundle had that many attempts for. */
  passK: Record<string, number | null>;
  /** The agent's wall time per attempt. */
  wallMeanMs: number;
  wallMaxMs: number;
}

export interface GroupSummary {
  name: string;
  tasks: number;
  apFullRecall: Estimate;
  precisionAtFullRecall: Estimate;
  /** pass^k at the full number of repeats. */
  passAll: number;
}

export interface EvalSummary {
  repeats: number;
  /** Tasks with at least one counted attempt go into the means. */
  tasks: TaskSummary[];
  overall: Record<MetricName, Estimate>;
  passK: Record<string, Estimate>;
  /**
   * ITBench-AA reports the mean with its spread over repeats: the corpus mean using only attempt r of
   * every bundle, per r, and their standard deviation.
   */
  perRepeat: Array<{ attempt: number; apFullRecall: number; precisionAtFullRecall: number; tasks: number }>;
  spread: { apFullRecall: number; precisionAtFullRecall: number };
  outcomes: OutcomeCounts;
  attempts: { finished: number; counted: number };
  time: {
    agentMedianMs: number;
    agentMeanMs: number;
    agentP95Ms: number;
    agentMaxMs: number;
    agentTotalMs: number;
    overheadMeanMs: number;
    overheadMedianMs: number;
  };
  byDifficulty: GroupSummary[];
  byTag: GroupSummary[];
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const it of items) {
    const k = key(it);
    const list = out.get(k);
    if (list) list.push(it);
    else out.set(k, [it]);
  }
  return out;
}

function summarizeBundle(attempts: readonly AttemptRecord[], repeats: number): BundleSummary {
  const counted = attempts.filter((a) => counts(a.outcome));
  const correct = counted.filter(isCorrect).length;
  const passK: Record<string, number> = {};
  for (let k = 1; k <= Math.min(repeats, counted.length); k++)
    passK[String(k)] = passHatK(counted.length, correct, k);
  return {
    bundleId: attempts[0].bundleId,
    bundleRepeat: attempts[0].bundleRepeat,
    attempts: counted.length,
    correct,
    metrics: meanMetrics(counted.map((a) => a.metrics)),
    passK,
  };
}

function summarizeTask(scenarioId: string, attempts: readonly AttemptRecord[], repeats: number): TaskSummary {
  const bundles = [...groupBy(attempts, (a) => a.bundleId).values()]
    .map((list) => summarizeBundle(list, repeats))
    .sort((a, b) => a.bundleRepeat - b.bundleRepeat || cmp(a.bundleId, b.bundleId));
  const scored = bundles.filter((b) => b.attempts > 0);
  const outcomes = zeroCounts();
  for (const a of attempts) outcomes[a.outcome]++;
  const passK: Record<string, number | null> = {};
  for (let k = 1; k <= repeats; k++) {
    const vals = scored.filter((b) => b.passK[String(k)] !== undefined).map((b) => b.passK[String(k)]);
    passK[String(k)] = vals.length === 0 ? null : mean(vals);
  }
  const walls = attempts.filter((a) => counts(a.outcome)).map((a) => a.wallMs);
  // Tasks are one scenario; its bundles may disagree on metadata only if the index does: first wins.
  const first = attempts[0];
  return {
    scenarioId,
    difficulty: first.difficulty,
    tags: first.tags,
    bundles,
    attempts: scored.reduce((s, b) => s + b.attempts, 0),
    outcomes,
    metrics: meanMetrics(scored.map((b) => b.metrics)),
    passK,
    wallMeanMs: mean(walls),
    wallMaxMs: walls.length === 0 ? 0 : Math.max(...walls),
  };
}

function group(name: string, tasks: readonly TaskSummary[], repeats: number): GroupSummary {
  const all = tasks.map((t) => t.passK[String(repeats)]).filter((v): v is number => v !== null);
  return {
    name,
    tasks: tasks.length,
    apFullRecall: bootstrapMean(tasks.map((t) => t.metrics.apFullRecall)),
    precisionAtFullRecall: bootstrapMean(tasks.map((t) => t.metrics.precisionAtFullRecall)),
    passAll: mean(all),
  };
}

/**
 * Every attempt → per bundle (mean over its attempts), per task (mean over its bundles), overall (mean
 * over tasks, with a bootstrap interval over tasks): a scenario with more bundles or attempts does not
 * weigh more, as in `grade --corpus`.
 */
export function summarize(attempts: readonly AttemptRecord[], repeats: number): EvalSummary {
  const tasks = [...groupBy(attempts, (a) => a.scenarioId).entries()]
    .sort(([a], [b]) => cmp(a, b))
    .map(([id, list]) => summarizeTask(id, list, repeats));
  const counted = tasks.filter((t) => t.attempts > 0);

  const overall = {} as Record<MetricName, Estimate>;
  for (const name of METRIC_NAMES)
    overall[name] = bootstrapMean(counted.map((t) => metricValue(t.metrics, name)));
  const passK: Record<string, Estimate> = {};
  for (let k = 1; k <= repeats; k++) {
    const vals = counted.map((t) => t.passK[String(k)]).filter((v): v is number => v !== null);
    if (vals.length > 0) passK[String(k)] = bootstrapMean(vals);
  }

  const perRepeat: EvalSummary['perRepeat'] = [];
  for (let r = 0; r < repeats; r++) {
    const these = attempts.filter((a) => a.attempt === r && counts(a.outcome));
    if (these.length === 0) continue;
    const byTask = [...groupBy(these, (a) => a.scenarioId).values()].map((list) => {
      const perBundle = [...groupBy(list, (a) => a.bundleId).values()].map((l) =>
        meanMetrics(l.map((a) => a.metrics)),
      );
      return meanMetrics(perBundle);
    });
    perRepeat.push({
      attempt: r,
      apFullRecall: mean(byTask.map((m) => m.apFullRecall)),
      precisionAtFullRecall: mean(byTask.map((m) => m.precisionAtFullRecall)),
      tasks: byTask.length,
    });
  }

  const outcomes = zeroCounts();
  for (const a of attempts) outcomes[a.outcome]++;
  const countedAttempts = attempts.filter((a) => counts(a.outcome));
  const walls = countedAttempts.map((a) => a.wallMs).sort((a, b) => a - b);
  const overheads = countedAttempts.map((a) => a.overheadMs);

  const difficulties = groupBy(
    counted.filter((t) => t.difficulty !== null),
    (t) => t.difficulty as string,
  );
  const tags = new Map<string, TaskSummary[]>();
  for (const t of counted) for (const tag of t.tags) tags.set(tag, [...(tags.get(tag) ?? []), t]);

  return {
    repeats,
    tasks,
    overall,
    passK,
    perRepeat,
    spread: {
      apFullRecall: sd(perRepeat.map((p) => p.apFullRecall)),
      precisionAtFullRecall: sd(perRepeat.map((p) => p.precisionAtFullRecall)),
    },
    outcomes,
    attempts: { finished: attempts.length, counted: countedAttempts.length },
    time: {
      agentMedianMs: median(walls),
      agentMeanMs: mean(walls),
      agentP95Ms: quantile(walls, 0.95),
      agentMaxMs: walls.length === 0 ? 0 : walls[walls.length - 1],
      agentTotalMs: walls.reduce((s, w) => s + w, 0),
      overheadMeanMs: mean(overheads),
      overheadMedianMs: median(overheads),
    },
    byDifficulty: [...difficulties.entries()]
      .sort(([a], [b]) => cmp(a, b))
      .map(([name, list]) => group(name, list, repeats)),
    byTag: [...tags.entries()]
      .sort(([a], [b]) => cmp(a, b))
      .map(([name, list]) => group(name, list, repeats)),
  };
}
