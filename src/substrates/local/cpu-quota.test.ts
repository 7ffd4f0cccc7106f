// CpuQuota over a fake CPU reader (the stop/resume protocol) and over a real busy process (the share).
import { ProcessContainerRuntime } from './process-container-runtime.js';
import { CpuQuota, procCpuSeconds, type QuotaMember } from './cpu-quota.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('CpuQuota', () => {
  it('stops every member once they used the quota together, and resumes them when the period ends', async () => {
    const signals: string[] = [];
    const stopped = new Set<number>();
    const member = (pid: number): QuotaMember => ({
      pid,
      kill: (s) => {
        signals.push(`${pid}:${s}`);
        if (s === 'SIGSTOP') stopped.add(pid);
        else stopped.delete(pid);
      },
    });
    const cpu = new Map<number, number>();
    // A running member finds 3 ms more CPU at every read: two reach a 10 ms quota (0.1 core × 100 ms) on
    // the 2nd sample. A stopped one uses nothing.
    const quota = new CpuQuota({
      cores: 0.1,
      members: () => [member(1), member(2)],
      periodMs: 100,
      sampleMs: 5,
      read: (pid) => {
        if (!stopped.has(pid)) cpu.set(pid, (cpu.get(pid) ?? 0) + 0.003);
        return cpu.get(pid);
      },
    });
    quota.start();
    await sleep(250);
    await quota.stop();
    expect(quota.stats.periods).toBeGreaterThanOrEqual(2);
    expect(quota.stats.throttledPeriods).toBe(quota.stats.periods);
    expect(signals.slice(0, 4)).toEqual(['1:SIGSTOP', '2:SIGSTOP', '1:SIGCONT', '2:SIGCONT']);
    // Nothing is left stopped.
    expect(signals.filter((s) => s.endsWith('SIGSTOP')).length).toBe(
      signals.filter((s) => s.endsWith('SIGCONT')).length,
    );
  });

  it('holds a busy process to its share of one core', async () => {
    const runtime = new ProcessContainerRuntime();
    const busy = await runtime.start({
      id: 'test/busy/busy',
      command: process.execPath,
      args: ['-e', 'for (;;) {}'],
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
      cwd: process.cwd(),
      onLine: () => undefined,
    });
    try {
      await sleep(300);
      const quota = new CpuQuota({ cores: 0.25, members: () => [busy] });
      const before = procCpuSeconds(busy.pid) ?? 0;
      const t0 = performance.now();
      quota.start();
      await sleep(3000);
      await quota.stop();
      const share = ((procCpuSeconds(busy.pid) ?? 0) - before) / ((performance.now() - t0) / 1000);
      // Unthrottled it would use a whole core; a tick of overshoot per period is allowed. The lower
      // bounds are loose: on a machine busy with other test workers it may get less than its quota.
      expect(share).toBeGreaterThan(0.05);
      expect(share).toBeLessThan(0.45);
      expect(quota.stats.throttledPeriods).toBeGreaterThan(quota.stats.periods * 0.5);
      // Running freely again after stop().
      const after = procCpuSeconds(busy.pid) ?? 0;
      await sleep(500);
      expect((procCpuSeconds(busy.pid) ?? 0) - after).toBeGreaterThan(0.08);
    } finally {
      await busy.stop(1000);
    }
  });
});
