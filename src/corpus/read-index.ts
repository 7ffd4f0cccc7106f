import { readFile } from 'node:fs/promises';
import { formatIssues } from '../bundle/manifest.js';
import { CorpusError } from '../errors/corpus-error.js';
import { CorpusIndexSchema, type CorpusIndex } from './corpus-index.js';

/** Reads `<out>/corpus/index.json`; null when there is none yet. A damaged one is an error naming it. */
export async function readCorpusIndex(file: string): Promise<CorpusIndex | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new CorpusError(`${file}: ${(err as Error).message}`, { cause: err });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new CorpusError(`${file}: invalid JSON (${(err as Error).message})`, { cause: err });
  }
  const r = CorpusIndexSchema.safeParse(raw);
  if (!r.success) throw new CorpusError(formatIssues(r.error).map((l) => `${file}: ${l}`));
  return r.data;
}
