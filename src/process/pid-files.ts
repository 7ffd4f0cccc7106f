import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { readCmdline, readProcStat } from './proc-info.js';

/** What a pidfile records about a child, enough to recognise it later despite pid reuse. */
export const PidRecordSchema = z.object({
  pid: z.number().int().positive(),
  /** Process group; children are started as group leaders, so normally equal to pid. */
  pgid: z.number().int().positive(),
  name: z.string(),
  command: z.string(),
  args: z.array(z.string()),
  /** /proc/<pid>/stat starttime at registration; absent where /proc is unavailable. */
  startTicks: z.number().int().nonnegative().optional(),
  startedAt: z.string(),
  /** The firedrill process that started the child, and its start time. */
  ownerPid: z.number().int().positive(),
  ownerStartTicks: z.number().int().nonnegative().optional(),
});

export type PidRecord = z.infer<typeof PidRecordSchema>;

export function pidFilePath(pidDir: string, pid: number): string {
  return join(pidDir, `${pid}.json`);
}

export interface PidRecordInput {
  pid: number;
  name: string;
  command: string;
  args: readonly string[];
}

/** Builds the record for a child that is running now (reads /proc for its start time). */
export function describeChild(child: PidRecordInput, now = new Date()): PidRecord {
  const stat = readProcStat(child.pid);
  const owner = readProcStat(process.pid);
  return {
    pid: child.pid,
    pgid: stat?.pgrp ?? child.pid,
    name: child.name,
    command: child.command,
    args: [...child.args],
    startTicks: stat?.startTicks,
    startedAt: now.toISOString(),
    ownerPid: process.pid,
    ownerStartTicks: owner?.startTicks,
  };
}

/** Writes `<pidDir>/<pid>.json` atomically (a reader never sees half a record). */
export function writePidFile(pidDir: string, record: PidRecord): string {
  mkdirSync(pidDir, { recursive: true });
  const path = pidFilePath(pidDir, record.pid);
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(record)}\n`);
  renameSync(tmp, path);
  return path;
}

export function removePidFile(pidDir: string, pid: number): void {
  rmSync(pidFilePath(pidDir, pid), { force: true });
}

export interface PidFileEntry {
  file: string;
  record?: PidRecord;
  /** Why the file could not be read as a record. */
  error?: string;
}

export function readPidFiles(pidDir: string): PidFileEntry[] {
  let names: string[];
  try {
    names = readdirSync(pidDir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const out: PidFileEntry[] = [];
  for (const name of names.filter((n) => /^\d+\.json$/.test(n)).sort()) {
    const file = join(pidDir, name);
    try {
      const parsed = PidRecordSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
      out.push(parsed.success ? { file, record: parsed.data } : { file, error: parsed.error.message });
    } catch (err) {
      out.push({ file, error: err instanceof Error ? err.message : String(err) });
    }
  }
  return out;
}

/**
 * Whether the process now at `record.pid` is the one the record describes. The start time settles
 * it where recorded; the program name is checked too, by basename of the first word, because some
 * programs rewrite their argv (redis-server shows `redis-server 127.0.0.1:6379`).
 */
export function matchesRecord(record: PidRecord): { match: boolean; reason: string } {
  const stat = readProcStat(record.pid);
  if (!stat || stat.state === 'Z') return { match: false, reason: 'not running' };
  if (record.startTicks !== undefined && stat.startTicks !== record.startTicks)
    return { match: false, reason: 'pid reused by another process (start time differs)' };
  const argv = readCmdline(record.pid);
  if (!argv || argv.length === 0) return { match: false, reason: 'command line unreadable' };
  const want = basename(record.command);
  const first = basename(argv[0].split(' ')[0]);
  if (first !== want && !argv.some((a) => basename(a) === want))
    return { match: false, reason: `command line is now "${argv.join(' ')}", not ${want}` };
  return { match: true, reason: 'matches' };
}

function basename(p: string): string {
  const i = p.lastIndexOf('/');
  return i === -1 ? p : p.slice(i + 1);
}
