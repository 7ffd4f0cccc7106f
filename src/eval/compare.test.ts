import { compareResults, formatComparison, type LoadedResults } from './compare.js';
import type { AttemptRecord, EvalConfig } from './records.js';
import { attemptRecord as rec } from './testing/attempt-record.js';

const CONFIG: EvalConfig = {
  format: 1,
  toolVersion: '0.1.0',
  createdAt: '2030-01-01T00:00:00.000Z',
  corpus: '/corpus',
  agent: 'agent',
  repeats: 1,
  timeoutMs: 60_000,
  graceMs: 1000,
  omit: [],
  isolate: false,
  user: null,
  env: [],
  only: [],
  shard: null,
};

function results(path: string, scores: Record<string, number>): LoadedResults {
  const attempts: AttemptRecord[] = Object.entries(scores).map(([task, ap], i) =>
    rec(task, `incident-${path}${i}`, 0, 'scored', ap),
  );
  return { path, config: CONFIG, attempts, partial: false };
}

describe('eval compare', () => {
  it('pairs tasks: differences, flips, tasks only one side has', () => {
    const c = compareResults(results('a', { t1: 1, t2: 1, t3: 0 }), results('b', { t1: 1, t2: 0, t3: 1 }));
    expect(c.common).toBe(3);
    expect(c.diff.apFullRecall.mean).toBe(0);
    expect([c.gained, c.lost]).toEqual([['t3'], ['t2']]);
    expect([c.onlyA, c.onlyB]).toEqual([[], []]);
  });

  it('gives the means of A and B over the paired tasks, so that B − A is their difference', () => {
    // A failed t2 and t3; B was run on t1 only (--only, or an interrupted eval)
    const c = compareResults(results('a', { t1: 0, t2: 0, t3: 1 }), results('b', { t1: 1 }));
    expect(c.common).toBe(1);
    expect(c.onlyA).toEqual(['t2', 't3']);
    expect([c.a.tasks, c.a.apFullRecall.mean]).toEqual([1, 0]);
    expect([c.b.tasks, c.b.apFullRecall.mean]).toEqual([1, 1]);
    expect(c.diff.apFullRecall.mean).toBe(c.b.apFullRecall.mean - c.a.apFullRecall.mean);
    const text = formatComparison(c);
    expect(text).toMatch(/^metric +A \(1 task\) +B \(1 task\) +B - A \(paired, 1 task\)$/m);
    expect(text).toMatch(
      /^note: A over all its 3 tasks: apFullRecall 0\.333, precisionAtFullRecall 0\.333$/m,
    );
    expect(text).not.toMatch(/^note: B over all/m);
  });
});
