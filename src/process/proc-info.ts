import { readFileSync, readdirSync } from 'node:fs';

/** The few fields of /proc/<pid>/stat that process bookkeeping needs. */
export interface ProcStat {
  pid: number;
  /** R, S, D, Z (zombie), T... */
  state: string;
  ppid: number;
  pgrp: number;
  /** Session id: a process that moved to another group (setpgid) is still found by its session. */
  session: number;
  /** Start time in clock ticks after boot: with the pid, it identifies a process even after pid reuse. */
  startTicks: number;
}

/** Reads /proc/<pid>/stat; undefined when the process does not exist (or /proc is absent, e.g. macOS). */
export function readProcStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name sits in parentheses and may itself contain spaces and parentheses.
  const close = text.lastIndexOf(')');
  if (close === -1) return undefined;
  const fields = text
    .slice(close + 2)
    .trim()
    .split(' ');
  // fields[0] is field 3 (state) of proc(5); starttime is field 22.
  return {
    pid,
    state: fields[0],
    ppid: Number(fields[1]),
    pgrp: Number(fields[2]),
    session: Number(fields[3]),
    startTicks: Number(fields[19]),
  };
}

/** argv of a running process from /proc/<pid>/cmdline; undefined if gone. Programs may rewrite it (redis does). */
export function readCmdline(pid: number): string[] | undefined {
  try {
    const raw = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    const parts = raw.split('\0');
    if (parts[parts.length - 1] === '') parts.pop();
    return parts;
  } catch {
    return undefined;
  }
}

/** True when the process exists and is not a zombie waiting to be reaped. */
export function isRunning(pid: number): boolean {
  const stat = readProcStat(pid);
  if (stat) return stat.state !== 'Z' && stat.state !== 'X';
  if (procAvailable()) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Every live (non-zombie) process whose process group is `pgid`. Empty where /proc is unavailable. */
export function processesInGroup(pgid: number): ProcStat[] {
  const out: ProcStat[] = [];
  for (const pid of listPids()) {
    const stat = readProcStat(pid);
    if (stat && stat.pgrp === pgid && stat.state !== 'Z' && stat.state !== 'X') out.push(stat);
  }
  return out;
}

export function listPids(): number[] {
  try {
    return readdirSync('/proc')
      .filter((name) => /^\d+$/.test(name))
      .map(Number);
  } catch {
    return [];
  }
}

let procChecked: boolean | undefined;
export function procAvailable(): boolean {
  if (procChecked === undefined) {
    try {
      readFileSync('/proc/self/stat');
      procChecked = true;
    } catch {
      procChecked = false;
    }
  }
  return procChecked;
}

/**
 * kill(2) that never throws for a process that is gone (ESRCH) or no longer ours (EPERM after pid
 * reuse): cleanup paths, including the synchronous 'exit' handler, must not fail half-way.
 */
export function signalSafely(pidOrNegGroup: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(pidOrNegGroup, signal);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ESRCH' || code === 'EPERM') return false;
    throw err;
  }
}
