import { createReadStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { createInterface } from 'node:readline';

export interface LeakFinding {
  file: string;
  line: number;
  term: string;
  excerpt: string;
}

/** Words that name the testbed's machinery; never in a real shop's telemetry. */
const ALWAYS = ['firedrill', 'chaos'];
const WORDS = /\b(fault|faults|inject|injected|injecting|injection)\b/i;

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Terms that would give the answer away: fault type ids, the scenario's id and title, settings keys.
 * Matching is case-insensitive; the generic words match whole words only ("default" is fine).
 */
export function leakPatterns(extraTerms: readonly string[]): RegExp[] {
  const terms = [...ALWAYS, ...extraTerms].filter((t) => t.trim().length >= 4);
  return [WORDS, ...terms.map((t) => new RegExp(escape(t), 'i'))];
}

/** Scans every file under `dir` (snapshot/) line by line; returns every finding (capped per file). */
export async function findLeaks(
  dir: string,
  extraTerms: readonly string[],
  perFileCap = 20,
): Promise<LeakFinding[]> {
  const patterns = leakPatterns(extraTerms);
  const findings: LeakFinding[] = [];
  for (const file of await listFiles(dir)) {
    let n = 0;
    let count = 0;
    const rl = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
    for await (const line of rl) {
      n++;
      for (const p of patterns) {
        const m = p.exec(line);
        if (!m) continue;
        if (count++ < perFileCap) {
          const at = Math.max(0, m.index - 40);
          findings.push({
            file: relative(dir, file),
            line: n,
            term: m[0],
            excerpt: line.slice(at, at + 120),
          });
        }
        break;
      }
    }
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
