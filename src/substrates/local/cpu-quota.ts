import { readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** A process under a quota: its CPU time and a way to pause and resume it (and its process group). */
export interface QuotaMember {
  readonly pid: number;
  kill(signal: NodeJS.Signals): void;
}

/** CPU seconds (user + system, every thread) of one process; undefined once it is gone. */
export type CpuReader = (pid: number) => number | undefined;

/** /proc/<pid>/stat's utime + stime: cheap enough to read every few milliseconds. */
export const procCpuSeconds: CpuReader = (pid) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of proc(5); fields[0] is field 3.
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
};

export interface CpuQuotaOptions {
  /** CPU the members may use together, in cores (a cgroup's cpu.max quota / period). */
  cores: number;
  /** The processes sharing the budget, read again every period (a restarted container has a new pid). */
  members: () => QuotaMember[];
  periodMs?: number;
  sampleMs?: number;
  read?: CpuReader;
}

export interface QuotaStats {
  periods: number;
  throttledPeriods: number;
  throttledSeconds: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/**
 * CFS bandwidth control for processes that share one container's budget, done from user space: each
 * period starts with every member running; once they have used `cores × period` of CPU together they
 * are stopped (SIGSTOP to the process group) until the period ends, as the kernel throttles a cgroup
 * whose quota ran out. A busy neighbour thus eats the budget first and the app waits out the rest of
 * each period, which is the latency a real noisy neighbour causes. CPU time is read in clock ticks
 * (10 ms): each period may overshoot by a tick, the long-run share holds.
 */
export class CpuQuota {
  readonly stats: QuotaStats = { periods: 0, throttledPeriods: 0, throttledSeconds: 0 };
  private running = false;
  private loop: Promise<void> | undefined;
  private stopped: QuotaMember[] = [];
  private readonly periodMs: number;
  private readonly sampleMs: number;
  private readonly read: CpuReader;

  constructor(private readonly opts: CpuQuotaOptions) {
    this.periodMs = opts.periodMs ?? 100;
    this.sampleMs = opts.sampleMs ?? 5;
    this.read = opts.read ?? procCpuSeconds;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Ends enforcement; every member runs again. */
  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    this.resume();
  }

  private used(members: QuotaMember[]): number {
    return members.reduce((sum, m) => sum + (this.read(m.pid) ?? 0), 0);
  }

  private resume(): void {
    for (const m of this.stopped) m.kill('SIGCONT');
    this.stopped = [];
  }

  private pause(members: QuotaMember[]): void {
    for (const m of members) {
      if (this.stopped.some((x) => x.pid === m.pid)) continue;
      m.kill('SIGSTOP');
      this.stopped.push(m);
    }
  }

  private async run(): Promise<void> {
    const quota = (this.opts.cores * this.periodMs) / 1000;
    // CPU used beyond a period's allowance (a late sample, a tick of rounding) comes off the next ones, so
    // the long-run share holds however late this loop wakes on a loaded machine.
    let debt = 0;
    while (this.running) {
      const end = performance.now() + this.periodMs;
      const members = this.opts.members();
      const allowance = quota - debt;
      this.stats.periods++;
      if (allowance <= 0) {
        this.pause(members);
        this.stats.throttledPeriods++;
        const at = performance.now();
        await sleep(end - at);
        this.stats.throttledSeconds += (performance.now() - at) / 1000;
        debt -= quota;
        continue;
      }
      this.resume();
      const base = this.used(members);
      while (this.running && performance.now() < end) {
        await sleep(Math.min(this.sampleMs, end - performance.now()));
        if (this.used(members) - base < allowance) continue;
        this.pause(members);
        const at = performance.now();
        this.stats.throttledPeriods++;
        await sleep(end - at);
        this.stats.throttledSeconds += Math.max(0, performance.now() - at) / 1000;
        break;
      }
      debt = Math.max(0, this.used(members) - base - allowance);
    }
  }
}
