import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { digestFile } from './file-digest.js';

/**
 * The leak rule: nothing in snapshot/ may give the answer away. Always forbidden: the testbed's name
 * and the words of its trade (whole words, so "default" is fine); per bundle: the scenario's id and
 * title, the fault type ids, the settings keys a fault used. Case-insensitive; terms shorter than 4
 * characters are skipped (they would match everywhere).
 */
const ALWAYS = ['firedrill', 'chaos'];
const WORDS = /\b(fault|faults|inject|injected|injecting|injection)\b/i;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function leakPatterns(terms: readonly string[] = []): RegExp[] {
  const all = [...new Set([...ALWAYS, ...terms.map((t) => t.trim().toLowerCase())])].filter(
    (t) => t.length >= 4,
  );
  return [WORDS, ...all.map((t) => new RegExp(escapeRegExp(t), 'i'))];
}

export interface LeakFinding {
  /** Path relative to the scanned directory. */
  file: string;
  line: number;
  term: string;
  message: string;
}

/** Every leak in the files under `dir` (recursively), one finding per file and term. */
export async function findLeaks(dir: string, terms: readonly string[]): Promise<LeakFinding[]> {
  const patterns = leakPatterns(terms);
  const findings: LeakFinding[] = [];
  for (const file of await listFiles(dir)) {
    const rel = relative(dir, file);
    const d = await digestFile(file, rel, { leakPatterns: patterns, parseLines: false });
    for (const w of d.warnings)
      findings.push({ file: rel, line: w.line ?? 0, term: w.term ?? '', message: w.message });
  }
  return findings;
}

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await listFiles(p)));
    else if (e.isFile()) out.push(p);
  }
  return out.sort();
}
