import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { InvalidInputError } from '../errors/invalid-input-error.js';
import { UnreadableInputError } from '../errors/unreadable-input-error.js';
import { configDifferences } from './eval-dir.js';
import { AttemptRecordSchema, EvalConfigSchema, type AttemptRecord, type EvalConfig } from './records.js';
import { bootstrapMean, type Estimate } from './stats.js';
import { summarize, type TaskSummary } from './summarize.js';

/** What compare needs of a results.json: how it ran and every attempt (the summary is recomputed). */
const ResultsForCompareSchema = z.object({
  format: z.literal(1),
  interrupted: z.boolean().optional(),
  complete: z.boolean().optional(),
  config: EvalConfigSchema,
  attempts: z.array(AttemptRecordSchema),
});

export interface LoadedResults {
  path: string;
  config: EvalConfig;
  attempts: AttemptRecord[];
  partial: boolean;
}

/** `A` is an eval directory or its results.json. */
export async function loadResults(path: string): Promise<LoadedResults> {
  let file = path;
  try {
    if ((await stat(path)).isDirectory()) file = join(path, 'results.json');
  } catch {
    throw new InvalidInputError(`${path} does not exist; expected an eval directory or its results.json`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      throw new InvalidInputError(`${file} does not exist: no finished eval there`);
    throw new UnreadableInputError(file, (err as Error).message, { cause: err });
  }
  const r = ResultsForCompareSchema.safeParse(doc);
  if (!r.success)
    throw new UnreadableInputError(
      file,
      `not an eval's results.json: ${r.error.issues
        .slice(0, 3)
        .map((i) => `${i.path.join('.')}: ${i.message}`)
        .join('; ')}`,
    );
  return {
    path: file,
    config: r.data.config,
    attempts: r.data.attempts,
    partial: r.data.interrupted === true || r.data.complete === false,
  };
}

export interface TaskComparison {
  scenarioId: string;
  a: { apFullRecall: number; precisionAtFullRecall: number; pass1: number | null };
  b: { apFullRecall: number; precisionAtFullRecall: number; pass1: number | null };
  /** b − a. */
  diff: { apFullRecall: number; precisionAtFullRecall: number };
  /** `gained`: solved by B and not by A; `lost`: the other way round. */
  flip: 'gained' | 'lost' | null;
}

export interface Comparison {
  /** The means over the tasks both evals have (`tasks` of them): a note gives each side's own mean when it has more. */
  a: { path: string; agent: string; tasks: number; apFullRecall: Estimate; precisionAtFullRecall: Estimate };
  b: { path: string; agent: string; tasks: number; apFullRecall: Estimate; precisionAtFullRecall: Estimate };
  /** Tasks both evals have: every difference is paired on them. */
  common: number;
  onlyA: string[];
  onlyB: string[];
  /** Mean over common tasks of (B − A), with a paired bootstrap interval. */
  diff: { apFullRecall: Estimate; precisionAtFullRecall: Estimate };
  tasks: TaskComparison[];
  gained: string[];
  lost: string[];
  notes: string[];
}

/** A task counts as solved when at least half of its attempts were correct (pass^1 ≥ 0.5). */
export const SOLVED_PASS1 = 0.5;

function solved(t: TaskSummary): boolean {
  return (t.passK['1'] ?? 0) >= SOLVED_PASS1;
}

/**
 * Paired per-task comparison of two evals (usually two agents, or one agent before and after a change,
 * on the same corpus). Differences are B − A per task, then their mean with a bootstrap interval over
 * the tasks both have; an interval that excludes 0 is a difference the corpus can tell apart.
 */
export function compareResults(a: LoadedResults, b: LoadedResults): Comparison {
  const sa = summarize(a.attempts, a.config.repeats);
  const sb = summarize(b.attempts, b.config.repeats);
  const ta = new Map(sa.tasks.filter((t) => t.attempts > 0).map((t) => [t.scenarioId, t]));
  const tb = new Map(sb.tasks.filter((t) => t.attempts > 0).map((t) => [t.scenarioId, t]));
  const ids = [...ta.keys()].filter((id) => tb.has(id)).sort();
  const tasks: TaskComparison[] = ids.map((id) => {
    const x = ta.get(id) as TaskSummary;
    const y = tb.get(id) as TaskSummary;
    const sx = solved(x);
    const sy = solved(y);
    return {
      scenarioId: id,
      a: {
        apFullRecall: x.metrics.apFullRecall,
        precisionAtFullRecall: x.metrics.precisionAtFullRecall,
        pass1: x.passK['1'] ?? null,
      },
      b: {
        apFullRecall: y.metrics.apFullRecall,
        precisionAtFullRecall: y.metrics.precisionAtFullRecall,
        pass1: y.passK['1'] ?? null,
      },
      diff: {
        apFullRecall: y.metrics.apFullRecall - x.metrics.apFullRecall,
        precisionAtFullRecall: y.metrics.precisionAtFullRecall - x.metrics.precisionAtFullRecall,
      },
      flip: sy && !sx ? 'gained' : sx && !sy ? 'lost' : null,
    };
  });
  const notes: string[] = [];
  const differences = configDifferences(a.config, b.config).filter((d) => !d.startsWith('agent:'));
  if (differences.length > 0) notes.push(`the evals were run differently: ${differences.join('; ')}`);
  if (a.config.corpus !== b.config.corpus)
    notes.push(`different corpora (${a.config.corpus} vs ${b.config.corpus}); tasks paired by scenario id`);
  if (a.partial) notes.push(`${a.path} is partial (interrupted or not every attempt finished)`);
  if (b.partial) notes.push(`${b.path} is partial (interrupted or not every attempt finished)`);
  // Over the paired tasks, so that the B − A column is the difference of the A and B columns.
  const side = (l: LoadedResults, m: Map<string, TaskSummary>): Comparison['a'] => {
    const paired = ids.map((id) => m.get(id) as TaskSummary);
    return {
      path: l.path,
      agent: l.config.agent,
      tasks: paired.length,
      apFullRecall: bootstrapMean(paired.map((t) => t.metrics.apFullRecall)),
      precisionAtFullRecall: bootstrapMean(paired.map((t) => t.metrics.precisionAtFullRecall)),
    };
  };
  for (const [name, m] of [
    ['A', ta],
    ['B', tb],
  ] as const)
    if (m.size > ids.length) {
      const all = [...m.values()];
      const own = (metric: 'apFullRecall' | 'precisionAtFullRecall'): string =>
        f3(all.reduce((sum, t) => sum + t.metrics[metric], 0) / all.length);
      notes.push(
        `${name} over all its ${all.length} tasks: apFullRecall ${own('apFullRecall')}, precisionAtFullRecall ${own('precisionAtFullRecall')}`,
      );
    }
  return {
    a: side(a, ta),
    b: side(b, tb),
    common: ids.length,
    onlyA: [...ta.keys()].filter((id) => !tb.has(id)).sort(),
    onlyB: [...tb.keys()].filter((id) => !ta.has(id)).sort(),
    diff: {
      apFullRecall: bootstrapMean(tasks.map((t) => t.diff.apFullRecall)),
      precisionAtFullRecall: bootstrapMean(tasks.map((t) => t.diff.precisionAtFullRecall)),
    },
    tasks,
    gained: tasks.filter((t) => t.flip === 'gained').map((t) => t.scenarioId),
    lost: tasks.filter((t) => t.flip === 'lost').map((t) => t.scenarioId),
    notes,
  };
}

const f3 = (x: number): string => x.toFixed(3);
const tasks = (n: number): string => `${n} task${n === 1 ? '' : 's'}`;
const signed = (x: number): string => `${x >= 0 ? '+' : ''}${x.toFixed(3)}`;

function est(e: Estimate, sign = false): string {
  const m = sign ? signed(e.mean) : f3(e.mean);
  if (e.n < 2) return m;
  return `${m} [${sign ? signed(e.lo) : f3(e.lo)}, ${sign ? signed(e.hi) : f3(e.hi)}]`;
}

/** The comparison for people: the means, the paired difference, the flips, then every task. */
export function formatComparison(c: Comparison): string {
  const lines: string[] = [];
  lines.push(`A  ${c.a.agent}  (${c.a.path})`, `B  ${c.b.agent}  (${c.b.path})`, '');
  lines.push(
    `${'metric'.padEnd(22)} ${`A (${tasks(c.a.tasks)})`.padEnd(24)} ${`B (${tasks(c.b.tasks)})`.padEnd(24)} B - A (paired, ${tasks(c.common)})`,
    `${'apFullRecall'.padEnd(22)} ${est(c.a.apFullRecall).padEnd(24)} ${est(c.b.apFullRecall).padEnd(24)} ${est(c.diff.apFullRecall, true)}`,
    `${'precisionAtFullRecall'.padEnd(22)} ${est(c.a.precisionAtFullRecall).padEnd(24)} ${est(c.b.precisionAtFullRecall).padEnd(24)} ${est(c.diff.precisionAtFullRecall, true)}`,
    '',
  );
  const ex = c.diff.apFullRecall;
  if (c.common >= 2)
    lines.push(
      ex.lo > 0 || ex.hi < 0
        ? `apFullRecall: B is ${ex.mean > 0 ? 'better' : 'worse'}; the 95 % interval of the difference excludes 0.`
        : 'apFullRecall: no difference this corpus can tell apart (the 95 % interval includes 0).',
    );
  lines.push(
    `flipped (solved = at least half the attempts correct): ${c.gained.length} gained${c.gained.length ? ` (${c.gained.join(', ')})` : ''}, ` +
      `${c.lost.length} lost${c.lost.length ? ` (${c.lost.join(', ')})` : ''}`,
  );
  if (c.onlyA.length > 0) lines.push(`only in A: ${c.onlyA.join(', ')}`);
  if (c.onlyB.length > 0) lines.push(`only in B: ${c.onlyB.join(', ')}`);
  for (const n of c.notes) lines.push(`note: ${n}`);
  lines.push('');
  const width = Math.max(4, ...c.tasks.map((t) => t.scenarioId.length));
  lines.push(`${'task'.padEnd(width)}  AP A    AP B    B - A   pass^1 A  pass^1 B  flip`);
  for (const t of [...c.tasks].sort(
    (x, y) => x.diff.apFullRecall - y.diff.apFullRecall || (x.scenarioId < y.scenarioId ? -1 : 1),
  ))
    lines.push(
      `${t.scenarioId.padEnd(width)}  ${f3(t.a.apFullRecall)}   ${f3(t.b.apFullRecall)}   ${signed(t.diff.apFullRecall)}  ` +
        `${(t.a.pass1 === null ? '-' : f3(t.a.pass1)).padEnd(8)}  ${(t.b.pass1 === null ? '-' : f3(t.b.pass1)).padEnd(8)}  ${t.flip ?? ''}`.trimEnd(),
    );
  return `${lines.join('\n')}\n`;
}
