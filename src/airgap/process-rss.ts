import { readFileSync } from 'node:fs';

/** Resident set size of a process in bytes from /proc/<pid>/status; undefined when gone or without /proc. */
export function processRssBytes(pid: number): number | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const m = /^VmRSS:\s+(\d+)\s+kB$/m.exec(text);
  return m ? Number(m[1]) * 1024 : undefined;
}
