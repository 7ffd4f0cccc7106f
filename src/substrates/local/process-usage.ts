import { readFile } from 'node:fs/promises';
import { listPids, readProcStat } from '../../process/proc-info.js';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** RSS bytes and CPU seconds (user + system) of every process in a process group, from /proc. */
export async function groupUsage(pgid: number): Promise<{ rssBytes: number; cpuSeconds: number }> {
  let ticks = 0;
  const statuses: string[] = [];
  const pids = groupMembers(pgid);
  for (const pid of pids.length > 0 ? pids : [pgid]) {
    try {
      const [status, stat] = await Promise.all([
        readFile(`/proc/${pid}/status`, 'utf8'),
        readFile(`/proc/${pid}/stat`, 'utf8'),
      ]);
      statuses.push(status);
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // utime and stime are fields 14 and 15 of proc(5); fields[0] is field 3.
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // exited between listing and reading
    }
  }
  return { rssBytes: groupRssBytes(statuses), cpuSeconds: ticks / TICKS_PER_SECOND };
}

/**
 * The resident memory of a group of processes from their /proc/<pid>/status texts, each page counted once
 * as a memory cgroup charges it: anonymous memory adds up, while the file pages (the program and its
 * libraries) and shared memory (PostgreSQL's shared buffers) that forked processes share are counted
 * once, at the largest share any one process maps. For a single process this is its VmRSS.
 */
export function groupRssBytes(statuses: readonly string[]): number {
  let anon = 0;
  let file = 0;
  let shmem = 0;
  for (const status of statuses) {
    const kb = (field: string): number | undefined => {
      const m = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(status);
      return m ? Number(m[1]) * 1024 : undefined;
    };
    const parts = [kb('RssAnon'), kb('RssFile'), kb('RssShmem')];
    if (parts.some((p) => p === undefined)) {
      // A kernel without the breakdown (before 4.5): the whole RSS, shared pages included.
      anon += kb('VmRSS') ?? 0;
      continue;
    }
    const [a, f, s] = parts as [number, number, number];
    anon += a;
    file = Math.max(file, f);
    shmem = Math.max(shmem, s);
  }
  return anon + file + shmem;
}

const TABLE_TTL_MS = 500;
let table: { at: number; groups: Map<number, number[]> } | undefined;

/**
 * The live processes of a group, from one scan of /proc shared by every pod polled within half a second:
 * each pod used to scan all of /proc twice a second, which grew with pods × processes and held up the
 * runner's event loop (the one that also carries every Service proxy's traffic).
 */
function groupMembers(pgid: number): number[] {
  const now = Date.now();
  if (!table || now - table.at > TABLE_TTL_MS) {
    const groups = new Map<number, number[]>();
    for (const pid of listPids()) {
      const st = readProcStat(pid);
      if (!st || st.state === 'Z' || st.state === 'X') continue;
      const members = groups.get(st.pgrp);
      if (members) members.push(pid);
      else groups.set(st.pgrp, [pid]);
    }
    table = { at: now, groups };
  }
  return table.groups.get(pgid) ?? [];
}
