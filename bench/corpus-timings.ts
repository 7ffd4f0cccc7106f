// Timing figures of a real corpus run, from its index: total wall time, per-scenario medians (time to
// manifest, run time) and the share of time spent waiting for the incident versus testbed overhead.
// The same figures as the report's Totals and Scenarios tables (one computation: renderReport).
//   npx tsx bench/corpus-timings.ts [corpus-out-dir]     (default out/corpus, what `make corpus` writes)
import { join } from 'node:path';
import { readCorpusIndex } from '../src/corpus/read-index.js';
import { renderReport } from '../src/corpus/render-report.js';

const dir = process.argv[2] ?? 'out/corpus';
const index = await readCorpusIndex(join(dir, 'corpus', 'index.json'));
if (!index) {
  console.error(`corpus-timings: no corpus index in ${dir}/corpus/index.json; run \`make corpus\` first`);
  process.exit(2);
}
const report = renderReport(index);
const section = (title: string): string => {
  const start = report.indexOf(`## ${title}\n`);
  if (start < 0) return '';
  const next = report.indexOf('\n## ', start + 1);
  const nextSub = report.indexOf('\n### ', start + 1);
  const ends = [next, nextSub].filter((i) => i >= 0);
  return report.slice(start, ends.length > 0 ? Math.min(...ends) : undefined).trimEnd();
};
console.log(`corpus ${dir}: ${index.rows.length} runs\n`);
console.log(section('Totals'));
console.log('');
console.log(section('Scenarios'));
