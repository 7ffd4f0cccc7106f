import { TimeoutError } from '../errors/timeout-error.js';
import { ManualClock } from './manual-clock.js';
import { waitFor } from './wait-for.js';

describe('waitFor', () => {
  it('returns the first non-false value of the check', async () => {
    let calls = 0;
    const clock = new ManualClock();
    const result = waitFor(
      'the answer',
      () => {
        calls++;
        return calls < 3 ? false : { answer: 42 };
      },
      { timeoutMs: 10_000, intervalMs: 100, clock },
    );
    await clock.advance(100);
    await clock.advance(100);
    await expect(result).resolves.toEqual({ answer: 42 });
    expect(calls).toBe(3);
  });

  it('throws TimeoutError naming what was awaited and what is pending', async () => {
    const clock = new ManualClock();
    const result = waitFor('alerts firing', () => false, {
      timeoutMs: 1000,
      intervalMs: 300,
      clock,
      pending: () => ['PaymentLatencyHigh'],
    });
    const assertion = expect(result).rejects.toMatchObject({
      name: 'TimeoutError',
      what: 'alerts firing',
      limitMs: 1000,
      pending: ['PaymentLatencyHigh'],
    });
    await clock.advance(1000);
    await assertion;
  });

  it('reports the last error a check threw when nothing else is pending', async () => {
    const clock = new ManualClock();
    const result = waitFor(
      'prometheus ready',
      () => {
        throw new Error('connect ECONNREFUSED 127.0.0.1:9090');
      },
      { timeoutMs: 500, intervalMs: 100, clock },
    );
    const assertion = expect(result).rejects.toThrow(/ECONNREFUSED/);
    await clock.advance(500);
    await assertion;
    await expect(result).rejects.toBeInstanceOf(TimeoutError);
  });

  it('stops when the signal is aborted', async () => {
    const clock = new ManualClock();
    const ac = new AbortController();
    const result = waitFor('never', () => false, { timeoutMs: 60_000, clock, signal: ac.signal });
    const assertion = expect(result).rejects.toThrow('stop now');
    await clock.advance(0);
    ac.abort(new Error('stop now'));
    await assertion;
  });

  it('works with the real clock', async () => {
    const start = Date.now();
    let n = 0;
    await expect(waitFor('n reaches 2', () => ++n >= 2, { timeoutMs: 2000, intervalMs: 10 })).resolves.toBe(
      true,
    );
    expect(Date.now() - start).toBeLessThan(2000);
  });
});
