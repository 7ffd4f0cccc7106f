import { readFile } from 'node:fs/promises';
import { processesInGroup } from '../../process/proc-info.js';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** RSS bytes and CPU seconds (user + system) of every process in a process group, from /proc. */
export async function groupUsage(pgid: number): Promise<{ rssBytes: number; cpuSeconds: number }> {
  let rssBytes = 0;
  let ticks = 0;
  const pids = processesInGroup(pgid).map((p) => p.pid);
  for (const pid of pids.length > 0 ? pids : [pgid]) {
    try {
      const [status, stat] = await Promise.all([
        readFile(`/proc/${pid}/status`, 'utf8'),
        readFile(`/proc/${pid}/stat`, 'utf8'),
      ]);
      const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
      if (m) rssBytes += Number(m[1]) * 1024;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // utime and stime are fields 14 and 15 of proc(5); fields[0] is field 3.
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // exited between listing and reading
    }
  }
  return { rssBytes, cpuSeconds: ticks / TICKS_PER_SECOND };
}
