import { summarize } from './summarize.js';
import { attemptRecord as rec } from './testing/attempt-record.js';

describe('summarize', () => {
  it('averages attempts per bundle, bundles per task, tasks overall; failures count as 0', () => {
    const s = summarize(
      [
        // task a: two bundles; b1 right twice, b2 right once then timed out → a = (1 + 0.5) / 2
        rec('a', 'b1', 0, 'scored', 1),
        rec('a', 'b1', 1, 'scored', 1),
        rec('a', 'b2', 0, 'scored', 1),
        rec('a', 'b2', 1, 'timed-out'),
        // task c: one bundle, half right → 0.5 (ranked second: not correct for pass^k)
        rec('c', 'b3', 0, 'scored', 0.5),
        rec('c', 'b3', 1, 'scored', 0.5),
      ],
      2,
    );
    expect(s.tasks.map((t) => [t.scenarioId, t.metrics.apFullRecall])).toEqual([
      ['a', 0.75],
      ['c', 0.5],
    ]);
    expect(s.overall.apFullRecall.mean).toBeCloseTo(0.625, 12);
    // pass^1: a = (1 + 1/2) / 2, c = 0; pass^2: a = (1 + 0) / 2, c = 0
    expect(s.passK['1'].mean).toBeCloseTo(0.375, 12);
    expect(s.passK['2'].mean).toBeCloseTo(0.25, 12);
    expect(s.outcomes).toMatchObject({ scored: 5, 'timed-out': 1, crashed: 0 });
    // attempt 0 everywhere: a = 1, c = 0.5; attempt 1: a = (1 + 0)/2, c = 0.5
    expect(s.perRepeat.map((p) => p.apFullRecall)).toEqual([0.75, 0.5]);
    expect(s.spread.apFullRecall).toBeCloseTo(Math.SQRT1_2 * 0.25, 12);
    expect(s.time.agentMedianMs).toBe(1500);
  });

  it('leaves interrupted attempts and harness errors out of every mean, but counts them', () => {
    const s = summarize(
      [rec('a', 'b1', 0, 'scored', 1), rec('a', 'b1', 1, 'interrupted'), rec('a', 'b1', 2, 'harness-error')],
      3,
    );
    expect(s.overall.apFullRecall.mean).toBe(1);
    expect(s.attempts).toEqual({ finished: 3, counted: 1 });
    expect(s.outcomes).toMatchObject({ interrupted: 1, 'harness-error': 1 });
    // one counted attempt: pass^2 and pass^3 cannot be estimated
    expect(Object.keys(s.passK)).toEqual(['1']);
  });

  it('breaks the scores down by difficulty and by tag when the tasks have them', () => {
    const s = summarize(
      [
        rec('a', 'b1', 0, 'scored', 1, { difficulty: 'easy', tags: ['net', 'cart'] }),
        rec('c', 'b2', 0, 'scored', 0, { difficulty: 'hard', tags: ['net'] }),
        rec('d', 'b3', 0, 'scored', 1),
      ],
      1,
    );
    expect(s.byDifficulty.map((g) => [g.name, g.tasks, g.apFullRecall.mean])).toEqual([
      ['easy', 1, 1],
      ['hard', 1, 0],
    ]);
    expect(s.byTag.map((g) => [g.name, g.tasks, g.apFullRecall.mean])).toEqual([
      ['cart', 1, 1],
      ['net', 2, 0.5],
    ]);
  });
});
