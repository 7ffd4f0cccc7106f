import { open, readFile, rm } from 'node:fs/promises';
import { z } from 'zod';
import { InvalidInputError } from '../errors/invalid-input-error.js';
import { readProcStat } from '../process/proc-info.js';

const LockRecordSchema = z.object({
  pid: z.number().int().positive(),
  /** With the pid, names the process even after its pid is reused. */
  startTicks: z.number().int().nonnegative().optional(),
  since: z.string(),
});
type LockRecord = z.infer<typeof LockRecordSchema>;

/** Whether the process that wrote `record` still runs (the same process, not a later one with its pid). */
function holderAlive(record: LockRecord): boolean {
  const stat = readProcStat(record.pid);
  if (!stat || stat.state === 'Z' || stat.state === 'X') return false;
  return record.startTicks === undefined || stat.startTicks === record.startTicks;
}

/**
 * Takes the corpus directory for this process, so that two `corpus run`s never write one corpus: both
 * would stage the same bundles at once on one machine, each loading it for the other, and write the
 * same run logs and index over each other. A lock whose writer has gone (killed, machine restarted) is
 * taken over. Returns the release.
 */
export async function lockCorpus(file: string, dir: string): Promise<() => Promise<void>> {
  const record: LockRecord = {
    pid: process.pid,
    startTicks: readProcStat(process.pid)?.startTicks,
    since: new Date().toISOString(),
  };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(file, 'wx');
      try {
        await handle.writeFile(`${JSON.stringify(record)}\n`);
      } finally {
        await handle.close();
      }
      return () => rm(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const held = LockRecordSchema.safeParse(await readJson(file));
    if (held.success && holderAlive(held.data))
      throw new InvalidInputError(
        `${dir}: another corpus run (pid ${held.data.pid}, since ${held.data.since}) is writing this corpus; wait for it, stop it, or give another --out`,
      );
    // Its writer is gone, or the file is not ours to read: a stale lock.
    await rm(file, { force: true });
  }
  throw new InvalidInputError(
    `${dir}: could not take ${file}: another corpus run took it at the same moment`,
  );
}

async function readJson(file: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as unknown;
  } catch {
    return undefined;
  }
}
