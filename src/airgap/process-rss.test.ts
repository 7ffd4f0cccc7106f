import { processRssBytes } from './process-rss.js';

describe('processRssBytes', () => {
  it('reads this process’s resident memory, within what Node itself reports', () => {
    const rss = processRssBytes(process.pid);
    expect(rss).toBeDefined();
    // Both measure the same thing a moment apart; allow for the heap moving in between.
    expect(Math.abs((rss ?? 0) - process.memoryUsage.rss())).toBeLessThan(64 * 1024 * 1024);
  });

  it('is undefined for a process that does not exist', () => {
    expect(processRssBytes(2 ** 22 + 1)).toBeUndefined();
  });
});
