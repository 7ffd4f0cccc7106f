import { systemClock } from './clock.js';
import { ManualClock } from './manual-clock.js';

describe('systemClock', () => {
  it('sleeps and can be aborted', async () => {
    await expect(systemClock.sleep(5)).resolves.toBeUndefined();
    const ac = new AbortController();
    const p = systemClock.sleep(60_000, ac.signal);
    ac.abort();
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('ManualClock', () => {
  it('wakes sleepers in time order only when advanced', async () => {
    const clock = new ManualClock(1000);
    const woke: string[] = [];
    void clock.sleep(200).then(() => woke.push(`b@${clock.now()}`));
    void clock.sleep(100).then(() => woke.push(`a@${clock.now()}`));
    await clock.advance(50);
    expect(woke).toEqual([]);
    await clock.advance(200);
    expect(woke).toEqual(['a@1100', 'b@1200']);
    expect(clock.now()).toBe(1250);
  });
});
