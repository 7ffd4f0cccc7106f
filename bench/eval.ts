/**
 * `firedrill eval` harness cost and scaling. Run: npx tsx bench/eval.ts [corpus-dir]
 *
 * 1. Overhead per attempt with an agent that answers at once (a shell printf): everything an attempt
 *    costs besides the agent itself (a fresh snapshot copy, the process group, the leftover sweep,
 *    grading, the synced log line, clean-up). Target: under 200 ms. On a small synthetic corpus, and on
 *    `corpus-dir` too when given (real snapshots are 5-15 MB to copy).
 * 2. --parallel 2 against --parallel 1: an agent that waits 500 ms (the harness's own scaling) and the
 *    reference agent (CPU-bound: bounded by the cores).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSampleBundle } from '../src/bundle/testing/sample-bundle.js';
import { presetCommand } from '../src/eval/agent-presets.js';
import { runEval, type EvalOptions } from '../src/eval/run-eval.js';
import { mean, median, quantile } from '../src/eval/stats.js';
import { writeSmallCorpus } from '../src/eval/testing/small-corpus.js';

const ANSWER = `printf '{"entities": ["shop/Deployment/payment"]}' > {answer}`;
const realCorpus = process.argv[2];

const work = await mkdtemp(join(tmpdir(), 'bench-eval-'));
let outs = 0;

async function timed(opts: Partial<EvalOptions> & Pick<EvalOptions, 'corpus' | 'agent'>) {
  const started = performance.now();
  const r = await runEval({
    outDir: join(work, `out-${outs++}`),
    repeats: 1,
    timeoutMs: 120_000,
    graceMs: 1000,
    parallel: 1,
    omit: [],
    isolate: false,
    env: {},
    ...opts,
  });
  const wallMs = performance.now() - started;
  const bad = r.results.attempts.filter((a) => a.outcome !== 'scored');
  if (bad.length > 0) throw new Error(`${bad.length} attempt(s) did not score: ${bad[0].detail}`);
  return { wallMs, attempts: r.results.attempts };
}

function overheadLine(
  label: string,
  attempts: Array<{ overheadMs: number; wallMs: number }>,
  wallMs: number,
) {
  const o = attempts.map((a) => a.overheadMs).sort((a, b) => a - b);
  console.log(
    `${label.padEnd(34)} ${String(attempts.length).padStart(4)} attempts  overhead mean ${mean(o).toFixed(0)} ms, ` +
      `median ${median(o).toFixed(0)} ms, p95 ${quantile(o, 0.95).toFixed(0)} ms; agent ${mean(attempts.map((a) => a.wallMs)).toFixed(0)} ms; ` +
      `end to end ${(wallMs / attempts.length).toFixed(0)} ms per attempt (incl. loading the corpus)`,
  );
}

try {
  const sample = join(work, 'sample');
  for (let i = 0; i < 4; i++)
    await writeSampleBundle(join(sample, 'bundles'), `incident-${String(i).padStart(12, '0')}`);
  const shop = join(work, 'shop');
  await writeSmallCorpus(shop, 2);

  console.log('harness overhead per attempt (agent answers at once)');
  // one warm-up run: the first spawn of a shell, page cache
  await timed({ corpus: sample, agent: ANSWER });
  const small = await timed({ corpus: sample, agent: ANSWER, repeats: 10 });
  overheadLine('  sample bundles (4 x 10)', small.attempts, small.wallMs);
  if (realCorpus) {
    const real = await timed({ corpus: realCorpus, agent: ANSWER, repeats: 1 });
    overheadLine(`  ${realCorpus}`, real.attempts, real.wallMs);
  }

  console.log('--parallel 2 against --parallel 1');
  const waiting = `sleep 0.5; ${ANSWER}`;
  const w1 = await timed({ corpus: sample, agent: waiting, repeats: 3, parallel: 1 });
  const w2 = await timed({ corpus: sample, agent: waiting, repeats: 3, parallel: 2 });
  console.log(
    `  agent waiting 500 ms, 12 attempts: ${(w1.wallMs / 1000).toFixed(2)} s -> ${(w2.wallMs / 1000).toFixed(2)} s, speed-up ${(w1.wallMs / w2.wallMs).toFixed(2)}x`,
  );
  const reference = presetCommand('reference');
  const r1 = await timed({ corpus: shop, agent: reference, repeats: 2, parallel: 1 });
  const r2 = await timed({ corpus: shop, agent: reference, repeats: 2, parallel: 2 });
  console.log(
    `  reference agent (CPU-bound), 8 attempts: ${(r1.wallMs / 1000).toFixed(2)} s -> ${(r2.wallMs / 1000).toFixed(2)} s, speed-up ${(r1.wallMs / r2.wallMs).toFixed(2)}x`,
  );
} finally {
  await rm(work, { recursive: true, force: true });
}
