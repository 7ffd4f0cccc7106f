import { join } from 'node:path';
import { InvalidInputError } from '../errors/invalid-input-error.js';
import { loadRunnable } from '../runner/load-runnable.js';
import type { Scenario } from '../scenario/scenario.js';
import { parseShard, planCorpus, planLine } from './plan.js';

const TEST_SECRET = 'ab'.repeat(32);

const SCENARIOS = join(process.cwd(), 'tests', 'fixtures', 'corpus', 'scenarios');

let scenarios: Scenario[];
beforeAll(async () => {
  scenarios = await loadRunnable([SCENARIOS], 'local');
});

const key = (r: { scenarioId: string; repeat: number }): string => `${r.scenarioId}#${r.repeat}`;

describe('planCorpus', () => {
  it("orders runs by the secret's shuffle, whatever order the files came in; by id without a secret", () => {
    const plan = planCorpus([...scenarios].reverse(), { secret: TEST_SECRET, repeats: 2 });
    expect(plan.map((r) => r.bundleId)).toEqual(plan.map((r) => r.bundleId).sort());
    expect(planCorpus(scenarios, { secret: TEST_SECRET, repeats: 2 }).map((r) => r.bundleId)).toEqual(
      plan.map((r) => r.bundleId),
    );
    const other = planCorpus(scenarios, { secret: 'cd'.repeat(32), repeats: 2 }).map(key);
    expect(new Set([plan.map(key).join(), other.join()]).size).toBe(2);
    expect(planCorpus([...scenarios].reverse(), { repeats: 2 }).map(key)).toEqual([
      'cart-slow#0',
      'cart-slow#1',
      'catalog-errors#0',
      'catalog-errors#1',
      'payment-slow#0',
      'payment-slow#1',
    ]);
  });

  it('gives deterministic, distinct, opaque bundle ids', () => {
    const a = planCorpus(scenarios, { secret: TEST_SECRET, repeats: 3 });
    const b = planCorpus(scenarios, { secret: TEST_SECRET, repeats: 3 });
    expect(a.map((r) => r.bundleId)).toEqual(b.map((r) => r.bundleId));
    expect(new Set(a.map((r) => r.bundleId)).size).toBe(a.length);
    for (const r of a) {
      expect(r.bundleId).toMatch(/^incident-[0-9a-f]{12}$/);
      expect(r.bundleId).not.toContain(r.scenarioId);
    }
  });

  it.each([1, 2, 3, 4, 5, 7, 9])('covers every run exactly once with %i shards', (n) => {
    const all = planCorpus(scenarios, { secret: TEST_SECRET, repeats: 3 });
    const seen: string[] = [];
    const sizes: number[] = [];
    for (let i = 1; i <= n; i++) {
      const part = planCorpus(scenarios, { secret: TEST_SECRET, repeats: 3, shard: { index: i, count: n } });
      expect(part.every((r) => r.shard === i && r.shards === n)).toBe(true);
      sizes.push(part.length);
      seen.push(...part.map((r) => r.bundleId));
    }
    expect([...seen].sort()).toEqual(all.map((r) => r.bundleId).sort());
    expect(new Set(seen).size).toBe(seen.length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
  });

  it('keeps only the --only scenarios and refuses unknown ids', () => {
    const plan = planCorpus(scenarios, { secret: TEST_SECRET, repeats: 2, only: ['payment-slow'] });
    expect(plan.map(key)).toEqual(['payment-slow#0', 'payment-slow#1']);
    expect(() =>
      planCorpus(scenarios, { secret: TEST_SECRET, repeats: 1, only: ['payment-slow', 'nope'] }),
    ).toThrow(/unknown scenario id nope/);
  });

  it('uses the scenario seed unless overridden, and the seed changes the id', () => {
    const own = planCorpus(scenarios, { secret: TEST_SECRET, repeats: 1, only: ['cart-slow'] })[0];
    const other = planCorpus(scenarios, {
      secret: TEST_SECRET,
      repeats: 1,
      only: ['cart-slow'],
      seed: 99,
    })[0];
    expect(own.seed).toBe(7);
    expect(other.seed).toBe(99);
    expect(other.bundleId).not.toBe(own.bundleId);
  });

  it('refuses duplicate scenario ids and repeats below 1', () => {
    expect(() => planCorpus([scenarios[0], scenarios[0]], { repeats: 1 })).toThrow(InvalidInputError);
    expect(() => planCorpus(scenarios, { secret: TEST_SECRET, repeats: 0 })).toThrow(/--repeats/);
  });

  it('prints a plan line with the run and its shard', () => {
    const r = planCorpus(scenarios, { secret: TEST_SECRET, repeats: 1, shard: { index: 2, count: 3 } })[0];
    expect(JSON.parse(planLine(r))).toEqual({
      scenarioId: r.scenarioId,
      repeat: r.repeat,
      seed: r.seed,
      bundleId: r.bundleId,
      shard: 2,
      shards: 3,
    });
  });
});

describe('parseShard', () => {
  it('reads i/n', () => {
    expect(parseShard('2/3')).toEqual({ index: 2, count: 3 });
    expect(parseShard(' 1/1 ')).toEqual({ index: 1, count: 1 });
  });
  it.each(['0/3', '4/3', '1/0', '1', 'a/b', '1/2/3', '-1/2'])('refuses %s', (text) => {
    expect(() => parseShard(text)).toThrow(InvalidInputError);
  });
});
