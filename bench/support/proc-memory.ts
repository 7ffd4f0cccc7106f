import { readFileSync } from 'node:fs';

/** A `Name:   123 kB` field of a /proc file, in bytes; 0 when the file or the field is gone (the process exited). */
export function procKiB(file: string, field: string): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(readFileSync(file, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Proportional set size of one process: shared pages (PostgreSQL's shared buffers) split between their users. */
export const pssOf = (pid: number): number => procKiB(`/proc/${pid}/smaps_rollup`, 'Pss');
