import { groupRssBytes } from './process-usage.js';

const status = (rss: number, anon: number, file: number, shmem: number): string =>
  `Name:\tpostgres\nVmRSS:\t${rss} kB\nRssAnon:\t${anon} kB\nRssFile:\t${file} kB\nRssShmem:\t${shmem} kB\n`;

describe('groupRssBytes', () => {
  it("is a single process' VmRSS", () => {
    expect(groupRssBytes([status(22816, 2308, 16208, 4300)])).toBe(22816 * 1024);
  });

  it('counts the pages forked processes share once: anonymous memory adds up, file and shared memory do not', () => {
    // A PostgreSQL server and two of its processes (figures from /proc on Debian's postgresql-15).
    const group = [
      status(22816, 2308, 16208, 4300),
      status(6244, 2388, 3572, 284),
      status(40000, 2600, 5400, 32000),
    ];
    expect(groupRssBytes(group)).toBe((2308 + 2388 + 2600 + 16208 + 32000) * 1024);
    expect(groupRssBytes(group)).toBeLessThan((22816 + 6244 + 40000) * 1024);
  });

  it('adds up VmRSS where the kernel gives no breakdown', () => {
    expect(groupRssBytes(['VmRSS:\t100 kB\n', 'VmRSS:\t50 kB\n'])).toBe(150 * 1024);
    expect(groupRssBytes([])).toBe(0);
  });
});
