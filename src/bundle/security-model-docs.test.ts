import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MAX_ANSWER_WARNINGS, MAX_PREDICTIONS } from '../grade/answer.js';
import { MAX_TRUTH_BYTES } from '../grade/load-truth.js';
import { MAX_ANSWER_BYTES } from '../grade/read-answer.js';
import { MAX_DURATION_MS } from '../scenario/duration.js';
import { MAX_SCENARIO_BYTES, MAX_YAML_ALIASES, MAX_YAML_DEPTH } from '../scenario/yaml-limits.js';
import { REPO_ROOT } from '../version.js';
import { DETACHED_DIGEST_SUFFIX } from './root-digest.js';
import { MAX_ARCHIVE_ENTRIES, MAX_UNPACKED_BYTES } from './unpack.js';

/**
 * docs/bundle-format.md's "Security model" states what a bundle guarantees, what grade trusts and the
 * limits that bound hostile input; its table must give the values the code enforces.
 */

function bytes(n: number): string {
  for (const [unit, size] of [
    ['GiB', 1024 ** 3],
    ['MiB', 1024 ** 2],
    ['KiB', 1024],
  ] as const)
    if (n % size === 0) return `${n / size} ${unit}`;
  return `${n} bytes`;
}

/** 100 000 as the docs write it; four digits stay whole. */
const count = (n: number): string => (n < 10_000 ? String(n) : String(n).replace(/\B(?=(\d{3})+$)/g, ' '));

async function section(): Promise<string> {
  const doc = await readFile(join(REPO_ROOT, 'docs', 'bundle-format.md'), 'utf8');
  const start = doc.indexOf('\n## Security model\n');
  expect(start).toBeGreaterThan(-1);
  const end = doc.indexOf('\n## ', start + 1);
  return doc.slice(start, end === -1 ? undefined : end);
}

describe('docs/bundle-format.md: Security model', () => {
  it('says what a bundle guarantees and what grade trusts', async () => {
    const s = await section();
    expect(s).toContain('### What a bundle guarantees');
    expect(s).toContain('### What grade and export trust');
    expect(s).toContain(DETACHED_DIGEST_SUFFIX);
    expect(s).toContain('--no-verify');
    expect(s).toContain('corpus/index.json');
  });

  it.each([
    ['unpacked bytes, absolute', bytes(MAX_UNPACKED_BYTES)],
    ['archive entries', count(MAX_ARCHIVE_ENTRIES)],
    ['answer file', bytes(MAX_ANSWER_BYTES)],
    ['ranked entities graded', count(MAX_PREDICTIONS)],
    ['warnings listed per answer', count(MAX_ANSWER_WARNINGS)],
    ['ground truth file', bytes(MAX_TRUTH_BYTES)],
    ['scenario file', bytes(MAX_SCENARIO_BYTES)],
    ['YAML aliases', count(MAX_YAML_ALIASES)],
    ['YAML nesting', `${MAX_YAML_DEPTH} levels`],
    ['a duration', `${MAX_DURATION_MS / 3_600_000}h`],
  ])('gives the limit on %s as enforced: %s', async (label, value) => {
    const row = (await section()).split('\n').find((l) => l.startsWith(`| ${label} |`));
    expect(row).toBeDefined();
    expect(row!.split('|')[2].trim().startsWith(value)).toBe(true);
  });
});
