/**
 * Grading throughput: 100,000 answers (5-10 predictions each, mixed string/object entries, aliases,
 * kind spellings, some junk) against one ground truth. Run: npx tsx bench/grade.ts [answers]
 * Target: scoring well under 2 s.
 */
import { performance } from 'node:perf_hooks';
import type { GroundTruth } from '../src/bundle/ground-truth.js';
import { compileTruth, parseAnswer, scoreCompiled, type ParsedAnswer } from '../src/grade/index.js';

const N = Number(process.argv[2] ?? 100_000);

const truth: GroundTruth = {
  format: 1,
  scenarioId: 'bench',
  rootCauses: [
    {
      id: 'shop/Deployment/payment',
      aliases: [
        'shop/Pod/payment-0',
        'shop/Pod/payment-1',
        'shop/Service/payment',
        'shop/ReplicaSet/payment-7c9d',
      ],
    },
    { id: 'shop/ConfigMap/payment-config', aliases: [] },
  ],
  faults: [],
  injectedAt: null,
  manifestedAt: null,
  expectedAlerts: [],
  firedAlerts: [],
};

/** mulberry32: a seeded generator so every run benches the same answers. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const POOL = [
  'shop/Deployment/payment',
  'shop/deploy/payment',
  'shop/Deployments/payment',
  'shop/po/payment-0',
  'shop/Pod/payment-1',
  'shop/svc/payment',
  'shop/ConfigMap/payment-config',
  'shop/cm/payment-config',
  'shop/Deployment/frontend',
  'shop/Deployment/checkout',
  'shop/Deployment/cart',
  'shop/StatefulSet/redis',
  'shop/Pod/redis-0',
  'shop/Service/frontend',
  'shop/deploy/shipping',
  'shop/deploy/currency',
  'Node/kind-worker',
  'payment',
  'Deployment/payment uid 1234',
];

const rand = rng(42);
const docs: unknown[] = [];
for (let i = 0; i < N; i++) {
  const len = 5 + Math.floor(rand() * 6);
  const entities: unknown[] = [];
  for (let j = 0; j < len; j++) {
    const id = POOL[Math.floor(rand() * POOL.length)];
    const r = rand();
    entities.push(r < 0.5 ? id : r < 0.9 ? { name: id, contributing_factor: true } : { id });
  }
  docs.push({ entities });
}

function time<T>(fn: () => T): [T, number] {
  const t0 = performance.now();
  const out = fn();
  return [out, performance.now() - t0];
}

const compiled = compileTruth(truth);
const [parsed, parseMs] = time(() => docs.map((d) => parseAnswer(d)));
const scoreAll = (answers: ParsedAnswer[]): number => {
  let sum = 0;
  for (const a of answers) sum += scoreCompiled(compiled, a).apFullRecall;
  return sum;
};
const [sumCold, coldMs] = time(() => scoreAll(parsed));
const [sumWarm, warmMs] = time(() => scoreAll(parsed));
if (sumCold !== sumWarm) throw new Error('scores differ between runs');

const predictions = parsed.reduce((n, a) => n + a.entries.length, 0);
const fmt = (ms: number): string =>
  `${ms.toFixed(0).padStart(6)} ms  (${((ms * 1000) / N).toFixed(2)} µs/answer)`;
console.log(`answers: ${N}, predictions: ${predictions}, root causes: ${truth.rootCauses.length}`);
console.log(`parse answers        ${fmt(parseMs)}`);
console.log(`score (first pass)   ${fmt(coldMs)}`);
console.log(`score (second pass)  ${fmt(warmMs)}`);
console.log(`parse + score        ${fmt(parseMs + coldMs)}   target: < 2000 ms`);
console.log(`mean apFullRecall    ${(sumCold / N).toFixed(4)}`);
