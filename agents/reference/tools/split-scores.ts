import { readFileSync } from 'node:fs';
import { splitOf } from './dev-split.js';

/**
 * Development helper: reads `firedrill grade --corpus ... --json` output (a file, or stdin) and prints
 * per-bundle scores and the mean AP at full recall and AC@1 separately for the dev and held-out splits.
 *
 *   ./bin/firedrill.js grade --corpus <bundles> --answers <answers> --json | npx tsx agents/reference/tools/split-scores.ts
 */
interface Run {
  bundleId: string;
  apFullRecall: number;
  acAt: Record<string, number>;
}
interface Task {
  scenarioId: string;
  apFullRecall: number;
  acAt: Record<string, number>;
  runs: Run[];
}

const text = readFileSync(process.argv[2] ?? 0, 'utf8');
const tasks = (JSON.parse(text) as { tasks: Task[] }).tasks;
for (const label of ['dev', 'held-out'] as const) {
  const mine = tasks.filter((t) => splitOf(t.scenarioId) === label);
  process.stdout.write(`\n${label}\n`);
  for (const t of mine)
    for (const r of t.runs)
      process.stdout.write(
        `  ${t.scenarioId.padEnd(38)} ${r.bundleId}  AP ${r.apFullRecall.toFixed(3)}  first right: ${r.acAt['1'] === 1 ? 'yes' : 'no'}\n`,
      );
  const runs = mine.flatMap((t) => t.runs);
  const mean = (xs: number[]): string =>
    xs.length ? (xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(3) : 'n/a';
  process.stdout.write(
    `  mean AP at full recall over ${mine.length} tasks: ${mean(mine.map((t) => t.apFullRecall))}; first answer right in ${runs.filter((r) => r.acAt['1'] === 1).length}/${runs.length} runs\n`,
  );
}
