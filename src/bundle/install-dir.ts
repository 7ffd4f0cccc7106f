import { randomBytes } from 'node:crypto';
import { lstat, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { BundleError } from '../errors/bundle-error.js';

export interface InstallOptions {
  /** Swap out an existing target instead of failing. */
  replace?: boolean;
  /** How the caller asks for replacement, quoted in the error (`--replace`, `{replace: true}`). */
  replaceHint?: string;
}

/**
 * Moves a finished temporary directory to its final name with rename(2), so readers see either nothing
 * or the whole thing. With `replace`, the old directory is renamed aside first and removed afterwards;
 * between the two renames the target is briefly absent, never half-written.
 */
export async function installDir(tmp: string, target: string, opts: InstallOptions = {}): Promise<void> {
  const exists = await pathExists(target);
  if (exists && !opts.replace)
    throw new BundleError(`${target} already exists; ${opts.replaceHint ?? 'pass replace'} to overwrite it`);
  if (!exists) {
    await rename(tmp, target);
    await fsyncDir(dirname(target));
    return;
  }
  const aside = join(dirname(target), `.${basename(target)}.old-${randomBytes(4).toString('hex')}`);
  await rename(target, aside);
  try {
    await rename(tmp, target);
  } catch (err) {
    await rename(aside, target).catch(() => undefined);
    throw err;
  }
  await fsyncDir(dirname(target));
  await rm(aside, { recursive: true, force: true });
}

export async function pathExists(p: string): Promise<boolean> {
  try {
    await lstat(p);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

/** Makes a rename or a new entry durable. Some platforms cannot open or sync directories; that is not fatal. */
export async function fsyncDir(dir: string): Promise<void> {
  let fh;
  try {
    fh = await open(dir, 'r');
    await fh.sync();
  } catch {
    // best effort: durability of the directory entry, not correctness of the content
  } finally {
    await fh?.close();
  }
}
