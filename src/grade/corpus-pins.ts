import { stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { UnreadableInputError } from '../errors/index.js';
import { excerpt } from '../util/escape-text.js';
import { FileTooLargeError, NotRegularFileError, readRegularFile } from '../util/safe-fs.js';

/**
 * The root digests a corpus index pins (`<out>/corpus/index.json`, docs/corpus.md): per bundle id the
 * SHA-256 of its manifest.json, which pins every byte of the bundle. Grading reads only these fields,
 * so the corpus module's full index schema stays where it is.
 */
export interface CorpusPins {
  file: string;
  /** bundleId → root digest; rows of failed runs and rows written before root digests are absent. */
  pins: Map<string, string>;
}

const PinsSchema = z.object({
  format: z.literal(1),
  rows: z.array(
    z.object({
      bundleId: z.string(),
      status: z.string(),
      bundle: z
        .object({
          rootSha256: z
            .string()
            .regex(/^[0-9a-f]{64}$/)
            .optional(),
        })
        .nullable()
        .optional(),
    }),
  ),
});

const MAX_INDEX_BYTES = 256 * 1024 ** 2;

/**
 * Where `corpus run` leaves the index next to what a grader points at: `<out>/corpus/index.json` for
 * `--corpus <out>`, and the same file for `--corpus <out>/bundles` or `<out>/packed`.
 */
export async function findCorpusIndex(corpusDir: string): Promise<string | null> {
  for (const candidate of [
    join(corpusDir, 'corpus', 'index.json'),
    join(dirname(corpusDir), 'corpus', 'index.json'),
  ]) {
    const st = await stat(candidate).catch(() => null);
    if (st?.isFile()) return candidate;
  }
  return null;
}

export async function readCorpusPins(file: string): Promise<CorpusPins> {
  let raw: unknown;
  try {
    raw = JSON.parse(
      (await readRegularFile(file, { maxBytes: MAX_INDEX_BYTES, followLinks: true })).toString('utf8'),
    );
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      throw new UnreadableInputError(file, 'no such file');
    if (err instanceof NotRegularFileError || err instanceof FileTooLargeError)
      throw new UnreadableInputError(file, err.message.slice(file.length + 2), { cause: err });
    throw new UnreadableInputError(file, `not a corpus index (${excerpt((err as Error).message)})`, {
      cause: err,
    });
  }
  const r = PinsSchema.safeParse(raw);
  if (!r.success) throw new UnreadableInputError(file, 'not a corpus index (format 1 with rows[])');
  const pins = new Map<string, string>();
  for (const row of r.data.rows) {
    const sha = row.bundle?.rootSha256;
    if (row.status === 'complete' && sha) pins.set(row.bundleId, sha);
  }
  return { file, pins };
}
