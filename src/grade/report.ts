import type { CorpusScore } from './corpus.js';
import { AC_KS, scoreToJson, type Metrics, type Score, type ScoreJson } from './score.js';

/** Three decimals: enough to tell 2/3 from 0.7, short enough for a table. */
function f(x: number): string {
  return x.toFixed(3);
}

function pad(cells: string[], widths: number[]): string {
  return cells
    .map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i])))
    .join('  ')
    .trimEnd();
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => pad(r, widths)).join('\n') + '\n';
}

/** The short human table `firedrill grade` prints without --json. */
export function formatScore(s: Score): string {
  const rows: string[][] = [
    ['metric', 'value'],
    ['apFullRecall', f(s.apFullRecall)],
    ['precisionAtFullRecall', f(s.precisionAtFullRecall)],
    ['precision', f(s.precision)],
    ['recall', f(s.recall)],
    ['f1', f(s.f1)],
    ...AC_KS.map((k) => [`AC@${k}`, String(s.acAt[k])]),
  ];
  let out = table(rows);
  s.matched.forEach((id, i) => (out += `matched    ${id} (rank ${s.matchedRanks[i]})\n`));
  for (const id of s.unmatched) out += `unmatched  ${id}\n`;
  return out;
}

const METRIC_HEAD = [
  'apFullRecall',
  'P@fullRecall',
  'precision',
  'recall',
  'f1',
  ...AC_KS.map((k) => `AC@${k}`),
];

function metricCells(m: Metrics): string[] {
  return [
    f(m.apFullRecall),
    f(m.precisionAtFullRecall),
    f(m.precision),
    f(m.recall),
    f(m.f1),
    ...AC_KS.map((k) => f(m.acAt[k])),
  ];
}

/** One row per task, then the corpus mean. */
export function formatCorpus(c: CorpusScore): string {
  const rows: string[][] = [['task', 'runs', ...METRIC_HEAD]];
  for (const t of c.tasks) rows.push([t.scenarioId, String(t.runs.length), ...metricCells(t)]);
  rows.push([
    `corpus (${c.tasks.length} tasks)`,
    String(c.tasks.reduce((n, t) => n + t.runs.length, 0)),
    ...metricCells(c),
  ]);
  let out = table(rows);
  if (c.errors.length > 0) out += `${c.errors.length} bundle(s) not graded; see stderr\n`;
  return out;
}

export interface CorpusRunJson extends ScoreJson {
  bundleId: string;
  repeat: number;
  answer: string | null;
}

export interface CorpusJson extends Metrics {
  tasks: Array<Metrics & { scenarioId: string; repeats: number; runs: CorpusRunJson[] }>;
  warnings: string[];
  errors: string[];
}

function metricsOf(m: Metrics): Metrics {
  return {
    apFullRecall: m.apFullRecall,
    precisionAtFullRecall: m.precisionAtFullRecall,
    precision: m.precision,
    recall: m.recall,
    f1: m.f1,
    acAt: { ...m.acAt },
  };
}

/** The documented `--corpus --json` shape. */
export function corpusToJson(c: CorpusScore): CorpusJson {
  return {
    ...metricsOf(c),
    tasks: c.tasks.map((t) => ({
      scenarioId: t.scenarioId,
      repeats: t.runs.length,
      ...metricsOf(t),
      runs: t.runs.map((r) => ({
        bundleId: r.bundleId,
        repeat: r.repeat,
        answer: r.answerPath,
        ...scoreToJson(r.score),
      })),
    })),
    warnings: c.warnings,
    errors: c.errors,
  };
}
