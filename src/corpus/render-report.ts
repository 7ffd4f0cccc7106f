import { median } from '../export/series-math.js';
import type { CorpusIndex, IndexRow } from './corpus-index.js';
import { DIFFICULTY_TIERS } from './difficulty.js';

/** Checks shown as columns, in this order; any other check a bundle carries is listed under "Invalid tasks". */
const COLUMNS = ['manifested', 'observable', 'leakFree', 'stable'] as const;

function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1 << 20) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1 << 30) return `${(n / (1 << 20)).toFixed(1)} MiB`;
  return `${(n / (1 << 30)).toFixed(2)} GiB`;
}

const pct = (part: number, whole: number): string =>
  whole > 0 ? `${((100 * part) / whole).toFixed(0)} %` : '–';
const mark = (row: IndexRow, name: string): string => {
  const c = row.checks[name];
  return c === undefined ? '–' : c.ok ? 'ok' : '**FAIL**';
};
const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** Mean reference AP over the rows that have one, two decimals; – when none. */
function meanAp(rows: readonly IndexRow[]): string {
  const aps = rows.flatMap((r) => (r.difficulty?.referenceAp != null ? [r.difficulty.referenceAp] : []));
  return aps.length ? (aps.reduce((a, b) => a + b, 0) / aps.length).toFixed(2) : '–';
}

/** `<out>/corpus/report.md`: corpus totals, the invalid tasks with reasons, then one table per scenario. */
export function renderReport(index: CorpusIndex): string {
  const rows = index.rows;
  const complete = rows.filter((r) => r.status === 'complete');
  const valid = rows.filter((r) => r.valid);
  const timed = rows.filter((r) => r.timings !== null);
  const wall = timed.reduce((a, r) => a + (r.timings?.wallMs ?? 0), 0);
  const waiting = timed.reduce((a, r) => a + (r.timings?.waitingMs ?? 0), 0);
  const ttm = median(complete.flatMap((r) => (r.timeToManifestMs === null ? [] : [r.timeToManifestMs])));
  const scenarios = [...new Set(rows.map((r) => r.scenarioId))].sort();
  const substrates = [...new Set(rows.map((r) => r.substrate))].sort();
  const commandWall = index.commandWallMs;

  const out: string[] = [];
  out.push('# Corpus report', '');
  out.push(
    `Generated ${index.generatedAt} by firedrill ${index.toolVersion}; substrate${substrates.length === 1 ? '' : 's'}: ${substrates.join(', ') || '–'}; stability threshold (Jaccard): ${index.stabilityThreshold}.`,
    '',
  );
  if (rows.some((r) => r.report))
    out.push(
      'Each bundle id below links its HTML report (`reports/`, made with `firedrill report --with-truth`: the ground truth is shown, so it is for task authors, never for agents).',
      '',
    );
  out.push('## Totals', '');
  out.push('| measure | value |', '| --- | --- |');
  out.push(`| scenarios | ${scenarios.length} |`);
  out.push(
    `| tasks (bundles) | ${complete.length}${rows.length > complete.length ? ` (+${rows.length - complete.length} failed runs)` : ''} |`,
  );
  out.push(`| valid | ${valid.length} of ${rows.length} (${pct(valid.length, rows.length)}) |`);
  out.push(`| median time to manifest | ${duration(ttm)} |`);
  out.push(`| size: bundles | ${bytes(complete.reduce((a, r) => a + (r.bundle?.bytes ?? 0), 0))} |`);
  out.push(`| size: packed | ${bytes(complete.reduce((a, r) => a + (r.packed?.bytes ?? 0), 0))} |`);
  out.push(
    `| run time (sum over runs) | ${duration(wall)}${timed.length < rows.length ? ` (${timed.length} of ${rows.length} runs timed)` : ''} |`,
  );
  if (commandWall.length > 0)
    out.push(
      `| wall time of the command${commandWall.length > 1 ? 's' : ''} | ${commandWall.length > 1 ? `${duration(commandWall.reduce((a, b) => a + b, 0))} in all, longest ${duration(Math.max(...commandWall))} (${commandWall.length} commands: shards, resumed runs)` : duration(commandWall[0])} |`,
    );
  out.push(`| waiting for the incident (warm-up + wait) | ${duration(waiting)} (${pct(waiting, wall)}) |`);
  out.push(
    `| testbed overhead (reset, inject, capture, commit, recover) | ${duration(wall - waiting)} (${pct(wall - waiting, wall)}) |`,
  );
  out.push('');

  const invalid = rows.filter((r) => !r.valid);
  out.push('## Invalid tasks', '');
  if (invalid.length === 0) out.push('None: every task passed every check.', '');
  else {
    for (const r of invalid) {
      const reasons =
        r.status === 'failed'
          ? [`run failed: ${r.error ?? 'unknown error'}`]
          : r.failedChecks.map((name) => `${name}: ${r.checks[name]?.detail || 'failed'}`);
      out.push(`- \`${r.bundleId}\` (${r.scenarioId}, repeat ${r.repeat}): ${cell(reasons.join('; '))}`);
    }
    out.push('');
  }

  const troubled = rows.filter((r) => r.status === 'complete' && r.error);
  if (troubled.length > 0) {
    out.push(
      '## Run errors',
      '',
      'Bundles that were committed before their run failed (recovery, health gate):',
      '',
    );
    for (const r of troubled)
      out.push(`- \`${r.bundleId}\` (${r.scenarioId}, repeat ${r.repeat}): ${cell(r.error ?? '')}`);
    out.push('');
  }

  const measured = complete.filter((r) => r.difficulty !== null);
  if (measured.length > 0) {
    out.push('## Difficulty', '');
    out.push(
      'Measured on every task: the reference agent’s average precision at full recall (agents/reference/), whether the',
      'first alert that fired already names a root cause, how many entities alerted, and how many hops the first',
      'alert sits from the cause. Tier: **trivial** when the first alert names a cause, **hard** when it does not',
      'and the reference agent scores below 0.5, **moderate** otherwise.',
      '',
    );
    out.push('| tier | tasks | mean reference AP |', '| --- | --- | --- |');
    for (const tier of DIFFICULTY_TIERS) {
      const rs = measured.filter((r) => r.difficulty?.tier === tier);
      out.push(`| ${tier} | ${rs.length} | ${meanAp(rs)} |`);
    }
    const firstNames = measured.filter((r) => r.difficulty?.firstAlertNamesCause).length;
    out.push(
      `| all | ${measured.length} | ${meanAp(measured)} (first alert names no root cause in ${pct(measured.length - firstNames, measured.length)} of tasks) |`,
      '',
    );
  }

  out.push('## Scenarios', '');
  out.push(
    '| scenario | tags | tasks | valid | tier | reference AP | first alert names cause | alerting entities | hops to first alert | median time to manifest | median run time | waiting share |',
  );
  out.push('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const s of scenarios) {
    const rs = rows.filter((r) => r.scenarioId === s);
    const w = rs.reduce((a, r) => a + (r.timings?.wallMs ?? 0), 0);
    const wt = rs.reduce((a, r) => a + (r.timings?.waitingMs ?? 0), 0);
    const ds = rs.flatMap((r) => (r.difficulty ? [r.difficulty] : []));
    const tiers = [...new Set(ds.map((d) => d.tier))].join(', ') || '–';
    const names = ds.length ? `${ds.filter((d) => d.firstAlertNamesCause).length}/${ds.length}` : '–';
    const alerting = ds.length ? String(median(ds.map((d) => d.alertingEntities))) : '–';
    const hops = ds.flatMap((d) => (d.hopsToFirstAlert === null ? [] : [d.hopsToFirstAlert]));
    out.push(
      `| ${s} | ${cell([...new Set(rs.flatMap((r) => r.tags))].join(', ') || '–')} | ${rs.length} | ${rs.filter((r) => r.valid).length} | ${tiers} | ${meanAp(rs)} | ${names} | ${alerting} | ${hops.length ? String(median(hops)) : '–'} | ${duration(median(rs.flatMap((r) => (r.timeToManifestMs === null ? [] : [r.timeToManifestMs]))))} | ${duration(median(rs.flatMap((r) => (r.timings ? [r.timings.wallMs] : []))))} | ${pct(wt, w)} |`,
    );
  }
  out.push('');
  for (const s of scenarios) {
    const rs = rows.filter((r) => r.scenarioId === s);
    out.push(`### ${s}`, '');
    out.push(
      `| repeat | bundle | substrate | valid | ${COLUMNS.join(' | ')} | time to manifest | run time | size (packed) |`,
    );
    out.push(`| --- | --- | --- | --- | ${COLUMNS.map(() => '---').join(' | ')} | --- | --- | --- |`);
    for (const r of rs)
      out.push(
        `| ${r.repeat} | ${r.report ? `[\`${r.bundleId}\`](../${r.report})` : `\`${r.bundleId}\``} | ${r.substrate} | ${r.status === 'failed' ? 'run failed' : r.valid ? 'yes' : '**no**'} | ${COLUMNS.map((c) => mark(r, c)).join(' | ')} | ${duration(r.timeToManifestMs)} | ${duration(r.timings?.wallMs)} | ${r.packed ? bytes(r.packed.bytes) : '–'} |`,
      );
    out.push('');
  }
  return `${out.join('\n').trimEnd()}\n`;
}
