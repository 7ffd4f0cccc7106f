import { constants, type Stats } from 'node:fs';
import { mkdir, mkdtemp, open, rmdir, stat, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/**
 * File access for inputs someone else wrote (bundles, answers, scenarios, archives). Plain readFile
 * follows symbolic links, blocks forever on a FIFO and reads a device until memory runs out; these
 * open without blocking, look at what was opened, and read regular files only, up to a limit.
 */

export type FileKind =
  | 'regular file'
  | 'directory'
  | 'symbolic link'
  | 'FIFO'
  | 'socket'
  | 'character device'
  | 'block device'
  | 'special file';

export function kindOf(st: Stats): FileKind {
  if (st.isFile()) return 'regular file';
  if (st.isDirectory()) return 'directory';
  if (st.isSymbolicLink()) return 'symbolic link';
  if (st.isFIFO()) return 'FIFO';
  if (st.isSocket()) return 'socket';
  if (st.isCharacterDevice()) return 'character device';
  if (st.isBlockDevice()) return 'block device';
  return 'special file';
}

/** The path exists but is not a regular file (or is a link where links are refused). */
export class NotRegularFileError extends Error {
  readonly path: string;
  readonly kind: FileKind;
  readonly code = 'ENOTREGULAR';

  constructor(path: string, kind: FileKind) {
    super(`${path}: is a ${kind}, not a regular file`);
    this.name = 'NotRegularFileError';
    this.path = path;
    this.kind = kind;
  }
}

/** The file holds more bytes than the reader allows. */
export class FileTooLargeError extends Error {
  readonly path: string;
  readonly limit: number;
  readonly code = 'ETOOLARGE';

  constructor(path: string, limit: number) {
    super(`${path}: larger than ${limit} bytes`);
    this.name = 'FileTooLargeError';
    this.path = path;
    this.limit = limit;
  }
}

export interface OpenRegularOptions {
  /** Follow a symbolic link at the last path component (default false: a link is refused). */
  followLinks?: boolean;
}

/**
 * Opens a regular file for reading. O_NONBLOCK keeps open(2) from waiting for a FIFO's writer;
 * O_NOFOLLOW refuses a link in the last component. Anything but a regular file is closed again and
 * refused with NotRegularFileError; errno errors (ENOENT, EACCES...) pass through.
 */
export async function openRegularFile(
  path: string,
  opts: OpenRegularOptions = {},
): Promise<{ fh: FileHandle; size: number }> {
  const flags = constants.O_RDONLY | constants.O_NONBLOCK | (opts.followLinks ? 0 : constants.O_NOFOLLOW);
  let fh: FileHandle;
  try {
    fh = await open(path, flags);
  } catch (err) {
    // Linux says ELOOP for O_NOFOLLOW on a link; the BSDs say EMLINK
    const code = (err as NodeJS.ErrnoException).code;
    if (!opts.followLinks && (code === 'ELOOP' || code === 'EMLINK'))
      throw new NotRegularFileError(path, 'symbolic link');
    throw err;
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new NotRegularFileError(path, kindOf(st));
    return { fh, size: st.size };
  } catch (err) {
    await fh.close();
    throw err;
  }
}

export interface ReadRegularOptions extends OpenRegularOptions {
  /** Refuse (FileTooLargeError) a file holding more bytes than this. */
  maxBytes: number;
}

/**
 * The bytes of a regular file, at most `maxBytes`. The limit is enforced on what is read, not on the
 * size stat reports, so a file growing under the reader (or one claiming size 0) cannot exceed it.
 */
export async function readRegularFile(path: string, opts: ReadRegularOptions): Promise<Buffer> {
  const { fh, size } = await openRegularFile(path, opts);
  try {
    if (size > opts.maxBytes) throw new FileTooLargeError(path, opts.maxBytes);
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const want = Math.min(1 << 20, opts.maxBytes + 1 - total);
      const buf = Buffer.allocUnsafe(want);
      const { bytesRead } = await fh.read(buf, 0, want, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > opts.maxBytes) throw new FileTooLargeError(path, opts.maxBytes);
      chunks.push(buf.subarray(0, bytesRead));
    }
    return Buffer.concat(chunks, total);
  } finally {
    await fh.close();
  }
}

/** A directory could not be created or used as asked; the message names it and why. */
export class DirectoryError extends Error {
  readonly path: string;
  readonly code = 'EDIRECTORY';

  constructor(path: string, why: string) {
    super(`${path}: ${why}`);
    this.name = 'DirectoryError';
    this.path = path;
  }
}

/**
 * `mkdir -p` that cannot spin. Node's recursive mkdir retries forever where mkdir(2) answers ENOENT
 * for a parent that exists (/proc/self/x); this creates one level at a time and reports the first
 * level that fails. An existing non-directory anywhere on the way is refused.
 */
export async function ensureDir(path: string): Promise<void> {
  for (let depth = 0; ; depth++) {
    let st: Stats | null = null;
    try {
      st = await stat(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw dirError(path, err);
    }
    if (st) {
      if (st.isDirectory()) return;
      throw new DirectoryError(path, `exists and is a ${kindOf(st)}, not a directory`);
    }
    const parent = dirname(path);
    if (parent === path || depth > 255) throw new DirectoryError(path, 'cannot be created');
    await ensureDir(parent);
    try {
      await mkdir(path, { mode: 0o755 });
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw dirError(path, err);
      // created by someone else meanwhile: look again
    }
  }
}

/**
 * Creates and removes a hidden directory inside `dir`, so a destination that cannot take new entries
 * (read-only, /proc, no permission) is refused before any work starts.
 */
export async function probeWritableDir(dir: string): Promise<void> {
  let probe: string;
  try {
    probe = await mkdtemp(join(dir, '.firedrill-probe-'));
  } catch (err) {
    throw dirError(dir, err, 'cannot create entries in it');
  }
  await rmdir(probe).catch(() => undefined);
}

function dirError(path: string, err: unknown, what = 'cannot be created'): DirectoryError {
  const e = err as NodeJS.ErrnoException;
  const why =
    e.code === 'EACCES' || e.code === 'EPERM'
      ? 'permission denied'
      : e.code === 'EROFS'
        ? 'read-only file system'
        : e.code === 'ENOTDIR'
          ? 'a parent is not a directory'
          : e.code === 'ENOSPC'
            ? 'no space left on device'
            : (e.code ?? e.message);
  return new DirectoryError(path, `${what} (${why})`);
}
