import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { InvalidInputError } from '../errors/invalid-input-error.js';

/** Names the environment variable that gives every shard of a corpus the same secret. */
export const SECRET_ENV = 'FIREDRILL_CORPUS_SECRET';
const SECRET_PATTERN = /^[0-9a-f]{64}$/;

/**
 * The secret that makes bundle ids, window offsets and background schedules unguessable from the
 * public scenario files, while keeping them reproducible for whoever holds it (resume, reproduce).
 * It lives in the output directory and in each bundle's truth/, never in snapshot/.
 *
 * Order: $FIREDRILL_CORPUS_SECRET, then the file, else a new random one written to the file (0600).
 */
export async function loadOrCreateSecret(
  file: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  const fromEnv = env[SECRET_ENV]?.trim();
  if (fromEnv !== undefined && fromEnv !== '') {
    if (!SECRET_PATTERN.test(fromEnv))
      throw new InvalidInputError(`${SECRET_ENV} must be 64 lower-case hex digits (openssl rand -hex 32)`);
    return fromEnv;
  }
  const existing = await readFile(file, 'utf8').then(
    (t) => t.trim(),
    (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw new InvalidInputError(`${file}: cannot read the corpus secret: ${err.message}`);
    },
  );
  if (existing !== undefined) {
    if (!SECRET_PATTERN.test(existing))
      throw new InvalidInputError(
        `${file}:1: corpus secret must be 64 lower-case hex digits; remove the file to start a new corpus`,
      );
    return existing;
  }
  const secret = randomBytes(32).toString('hex');
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${secret}\n`, { mode: 0o600, flag: 'wx' }).catch(
    async (err: NodeJS.ErrnoException) => {
      // Another process created it first: use theirs, so parallel runs into one directory agree.
      if (err.code !== 'EEXIST') throw err;
    },
  );
  return (await readFile(file, 'utf8')).trim();
}

/** The secret if one exists ($FIREDRILL_CORPUS_SECRET, else the file), without creating one. */
export async function readSecret(
  file: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string | undefined> {
  if (env[SECRET_ENV]?.trim()) return loadOrCreateSecret(file ?? '', env);
  if (file === undefined) return undefined;
  const exists = await readFile(file, 'utf8').then(
    () => true,
    () => false,
  );
  return exists ? loadOrCreateSecret(file, env) : undefined;
}
