import type { ResultsDocument } from './run-eval.js';
import { counts, OUTCOMES, type AttemptRecord } from './records.js';
import type { Estimate } from './stats.js';
import {
  METRIC_NAMES,
  metricValue,
  type EvalSummary,
  type GroupSummary,
  type MetricName,
} from './summarize.js';

const f3 = (x: number): string => x.toFixed(3);

export function estimateText(e: Estimate): string {
  return e.n < 2 ? f3(e.mean) : `${f3(e.mean)} [${f3(e.lo)}, ${f3(e.hi)}]`;
}

export function durationText(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return `${m}m${String(Math.round(s - m * 60)).padStart(2, '0')}s`;
}

function row(cells: readonly string[]): string {
  return `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
}

function table(head: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  return [row(head), row(head.map(() => '---')), ...rows.map(row)].join('\n');
}

const LABEL: Record<MetricName, string> = {
  apFullRecall: 'apFullRecall (headline)',
  precisionAtFullRecall: 'precisionAtFullRecall (ITBench-AA)',
  precision: 'precision (set)',
  recall: 'recall',
  f1: 'F1',
  'AC@1': 'AC@1',
  'AC@2': 'AC@2',
  'AC@3': 'AC@3',
  'AC@4': 'AC@4',
  'AC@5': 'AC@5',
};

function passLabel(k: string, repeats: number): string {
  return `pass^${k}${Number(k) === repeats ? ' (every repeat correct)' : ''}`;
}

/** The scores table shared by the report and the command's text output. */
export function scoresTable(s: EvalSummary): string {
  const rows = METRIC_NAMES.map((n) => [LABEL[n], estimateText(s.overall[n])]);
  for (const [k, e] of Object.entries(s.passK)) rows.push([passLabel(k, s.repeats), estimateText(e)]);
  return table(['metric', 'mean over tasks [95 % bootstrap interval]'], rows);
}

export function outcomesTable(s: EvalSummary): string {
  const total = s.attempts.finished;
  return table(
    ['outcome', 'attempts', 'share'],
    OUTCOMES.filter((o) => s.outcomes[o] > 0 || counts(o)).map((o) => [
      o,
      String(s.outcomes[o]),
      total === 0 ? '-' : `${Math.round((100 * s.outcomes[o]) / total)} %`,
    ]),
  );
}

function groupTable(title: string, groups: readonly GroupSummary[], repeats: number): string {
  if (groups.length === 0) return '';
  return `\n## ${title}\n\n${table(
    [
      title === 'By difficulty' ? 'difficulty' : 'tag',
      'tasks',
      'apFullRecall',
      'precisionAtFullRecall',
      `pass^${repeats}`,
    ],
    groups.map((g) => [
      g.name,
      String(g.tasks),
      estimateText(g.apFullRecall),
      estimateText(g.precisionAtFullRecall),
      f3(g.passAll),
    ]),
  )}\n`;
}

function outcomeList(o: Record<string, number>): string {
  return OUTCOMES.filter((k) => (o[k] ?? 0) > 0)
    .map((k) => `${k} ${o[k]}`)
    .join(', ');
}

function lastLine(a: AttemptRecord): string {
  const text = (a.stderr.tail || a.stderr.head).trimEnd();
  const line = text.slice(text.lastIndexOf('\n') + 1).trim();
  return line.length > 120 ? `${line.slice(0, 117)}...` : line;
}

/** report.md: what a task author reads to see how an agent fared, and how it failed. */
export function renderReport(r: ResultsDocument): string {
  const s = r.summary;
  const c = r.config;
  const bundles = new Set(r.attempts.map((a) => a.bundleId)).size;
  const lines: string[] = [];
  lines.push('# Eval report', '');
  lines.push(
    `Agent \`${c.agent}\` on \`${c.corpus}\`: ${s.tasks.length} task(s), ${bundles} bundle(s), ` +
      `${c.repeats} repeat(s) each; limit ${durationText(c.timeoutMs)} per attempt; ` +
      `agents ran as ${c.user ?? 'firedrill’s own user'}${c.isolate ? ', isolated (network, mounts, pids)' : ', not isolated'}` +
      `${c.omit.length > 0 ? `; omitted: ${c.omit.join(', ')}` : ''}${c.shard ? `; shard ${c.shard}` : ''}. ` +
      `firedrill ${r.toolVersion}, ${r.generatedAt}.`,
  );
  if (r.interrupted || !r.complete)
    lines.push(
      '',
      `**Partial: ${r.interrupted ? 'interrupted; ' : ''}${s.attempts.counted} of ${r.planned} planned attempts finished.** ` +
        'The numbers cover only those; `firedrill eval ... --resume` runs the rest.',
    );
  if (r.corpusErrors.length > 0)
    lines.push(
      '',
      `${r.corpusErrors.length} bundle(s) could not be evaluated:`,
      ...r.corpusErrors.map((e) => `- ${e}`),
    );

  lines.push('', '## Scores', '');
  lines.push(
    'Each attempt is graded (a failed attempt scores 0); a bundle is the mean of its attempts, a task ' +
      '(scenario) the mean of its bundles, the corpus the mean of its tasks. Intervals: percentile bootstrap ' +
      'over tasks. pass^k: the chance that k attempts at a bundle are all correct (every root cause named, ' +
      'none ranked below a wrong entity). docs/eval.md has the definitions.',
    '',
    scoresTable(s),
  );
  if (s.perRepeat.length > 1)
    lines.push(
      '',
      `Spread over repeats (the corpus mean from attempt r of every bundle): apFullRecall ` +
        `${s.perRepeat.map((p) => f3(p.apFullRecall)).join(', ')} (sd ${f3(s.spread.apFullRecall)}); ` +
        `precisionAtFullRecall ${s.perRepeat.map((p) => f3(p.precisionAtFullRecall)).join(', ')} (sd ${f3(s.spread.precisionAtFullRecall)}).`,
    );

  lines.push('', '## Outcomes', '', outcomesTable(s));
  lines.push(
    '',
    '## Time',
    '',
    table(
      ['measure', 'value'],
      [
        ['agent wall time per attempt: median', durationText(s.time.agentMedianMs)],
        ['mean', durationText(s.time.agentMeanMs)],
        ['95th percentile', durationText(s.time.agentP95Ms)],
        ['longest', durationText(s.time.agentMaxMs)],
        ['agent time, all attempts', durationText(s.time.agentTotalMs)],
        ['harness overhead per attempt (copy, grade, clean up): mean', durationText(s.time.overheadMeanMs)],
      ],
    ),
  );

  lines.push('', '## Tasks', '');
  lines.push(
    table(
      [
        'task',
        'difficulty',
        'bundles',
        'attempts',
        'apFullRecall',
        'P@fullRecall',
        'F1',
        'AC@1',
        `pass^${c.repeats}`,
        'outcomes',
        'mean time',
      ],
      s.tasks.map((t) => [
        t.scenarioId,
        t.difficulty ?? '-',
        String(t.bundles.length),
        String(t.attempts),
        f3(t.metrics.apFullRecall),
        f3(t.metrics.precisionAtFullRecall),
        f3(t.metrics.f1),
        f3(metricValue(t.metrics, 'AC@1')),
        t.passK[String(c.repeats)] === null ? '-' : f3(t.passK[String(c.repeats)] as number),
        outcomeList(t.outcomes),
        durationText(t.wallMeanMs),
      ]),
    ),
  );
  lines.push(groupTable('By difficulty', s.byDifficulty, c.repeats));
  lines.push(groupTable('By tag', s.byTag, c.repeats));

  const failed = r.attempts.filter((a) => a.outcome !== 'scored');
  if (failed.length > 0) {
    lines.push('## Attempts that did not score', '');
    lines.push(
      table(
        ['task', 'bundle', 'attempt', 'outcome', 'detail', 'time', 'last line of stderr'],
        failed.map((a) => [
          a.scenarioId,
          a.bundleId,
          String(a.attempt + 1),
          a.outcome,
          a.detail,
          durationText(a.wallMs),
          lastLine(a) || '-',
        ]),
      ),
      '',
    );
  }
  const notes = r.attempts.filter((a) => a.leftovers > 0 || a.snapshotChanged.length > 0);
  if (notes.length > 0) {
    lines.push('## Notes', '');
    for (const a of notes)
      lines.push(
        `- ${a.bundleId} #${a.attempt + 1}: ${[
          a.leftovers > 0 ? `${a.leftovers} process(es) outlived the agent and were killed` : '',
          a.snapshotChanged.length > 0 ? `changed its snapshot copy (${a.snapshotChanged.join(', ')})` : '',
        ]
          .filter(Boolean)
          .join('; ')}`,
      );
    lines.push('');
  }
  return `${lines
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd()}\n`;
}
