import { randomBytes } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { gracefulInterruptsActive } from '../util/graceful-interrupts.js';

/**
 * Temporary directories and files that unpack, verify, pack and the reader create while they work.
 * A `finally` removes them on every normal or failed exit, but Ctrl-C or SIGTERM ends Node without
 * running `finally` blocks, which left gigabytes of `.unpack-*` and `firedrill-verify-*` behind. So
 * every such path is registered here while it exists: on SIGINT/SIGTERM (unless a command handles the
 * signal gracefully and will run its own clean-up) and on process exit, whatever is registered is removed.
 */

const paths = new Set<string>();
const SIGNALS = ['SIGINT', 'SIGTERM'] as const;
let listening = false;

/** Blocks the main thread for `ms`; the thread pool's file operations go on meanwhile. */
function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Removes every held path, then looks again a few times: a write still in flight on the thread pool may
 * add a file while a folder is emptied (ENOTEMPTY, which rmSync's retries cover), and a recursive mkdir
 * in flight recreates the folder after it is gone (an unpack interrupted under load left an empty
 * `.unpack-*` tree behind). Node does not wait for those operations when it exits.
 */
export function removeHeldScratch(): void {
  const remove = (p: string): void => {
    try {
      rmSync(p, { recursive: true, force: true, maxRetries: 5, retryDelay: 20 });
    } catch {
      // best effort while exiting
    }
  };
  const held = [...paths];
  paths.clear();
  if (held.length === 0) return;
  for (const p of held) remove(p);
  for (let round = 0; round < 5; round++) {
    pause(round === 0 ? 20 : 50);
    const back = held.filter((p) => existsSync(p));
    if (back.length === 0) return;
    for (const p of back) remove(p);
  }
}

function onSignal(signal: NodeJS.Signals): void {
  // run and corpus run stop gracefully and finish what they do; their finally blocks clean up
  if (gracefulInterruptsActive()) return;
  removeHeldScratch();
  process.stderr.write(`\nfiredrill: interrupted by ${signal}; temporary files removed\n`);
  process.exit(130);
}

function listen(): void {
  if (listening) return;
  listening = true;
  process.on('exit', removeHeldScratch);
  for (const s of SIGNALS) process.on(s, onSignal);
}

function unlisten(): void {
  if (!listening) return;
  listening = false;
  process.off('exit', removeHeldScratch);
  for (const s of SIGNALS) process.off(s, onSignal);
}

/** Remove `path` if the process is interrupted or exits before `release(path)`. */
export function holdScratch(path: string): void {
  paths.add(path);
  listen();
}

/** The caller removed `path` itself (or installed it where it belongs): forget it. */
export function releaseScratch(path: string): void {
  paths.delete(path);
  if (paths.size === 0) unlisten();
}

/** Paths held right now (tests). */
export function heldScratch(): string[] {
  return [...paths];
}

/**
 * mkdtemp, but held before it exists. With `mkdtemp` then `holdScratch` a signal handled between the
 * two (the directory is on disk, the promise not yet resumed) left the directory behind; holding a
 * path that does not exist yet costs nothing, since removal ignores missing paths.
 */
export async function makeScratchDir(prefix: string): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    const path = `${prefix}${randomBytes(6).toString('hex')}`;
    holdScratch(path);
    try {
      await mkdir(path, { mode: 0o700 });
      return path;
    } catch (err) {
      releaseScratch(path);
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 8) throw err;
    }
  }
}
