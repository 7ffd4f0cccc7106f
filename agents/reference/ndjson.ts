import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

/** What went wrong while reading, so a damaged file degrades the answer instead of aborting it. */
export interface ReadProblems {
  warnings: string[];
}

/**
 * Yields the records of an NDJSON file one at a time, so a snapshot's 10 MB of traces never sits in
 * memory as text. A missing file yields nothing (older snapshots lack optional files); a line that is
 * not a JSON object is skipped and counted, because one torn line must not cost the whole signal.
 */
export async function* readNdjson<T extends object>(path: string, problems: ReadProblems): AsyncGenerator<T> {
  const stream = createReadStream(path, { encoding: 'utf8' });
  try {
    await new Promise<void>((resolve, reject) => {
      stream.once('open', () => resolve());
      stream.once('error', reject);
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
      problems.warnings.push(`${path}: ${(err as Error).message}`);
    return;
  }
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let bad = 0;
  let lineNo = 0;
  for await (const line of lines) {
    lineNo++;
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      bad++;
      continue;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      bad++;
      continue;
    }
    yield value as T;
  }
  if (bad > 0)
    problems.warnings.push(`${path}: skipped ${bad} of ${lineNo} lines that were not JSON objects`);
}
