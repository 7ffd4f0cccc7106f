import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { lstat, open, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, isAbsolute } from 'node:path';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { BundleError } from '../errors/bundle-error.js';
import { DirectoryError, ensureDir, kindOf, openRegularFile } from '../util/safe-fs.js';
import { comparePaths } from './bundle-writer.js';
import { fsyncDir } from './install-dir.js';
import { MANIFEST_FILE } from './layout.js';
import { detachedDigestPath, formatDetachedDigest } from './root-digest.js';
import { holdScratch, releaseScratch } from './scratch.js';
import { END_OF_ARCHIVE, TarError, encodeHeader, paddingFor } from './tar.js';
import { formatProblem, verifyBundle } from './verify.js';

/** Fixed so the same bundle always compresses to the same bytes (with the same zlib). */
export const GZIP_LEVEL = 6;
/** The gzip header's OS byte, forced to "Unix" whatever platform packed the bundle. */
export const GZIP_OS_UNIX = 3;

export interface PackResult {
  file: string;
  bundleId: string;
  /** Tar entries (folders and files). */
  entries: number;
  /** Size of the .tar.gz. */
  bytes: number;
  /** SHA-256 of the bundle's manifest.json: pins every byte of the bundle (root-digest.ts). */
  rootSha256: string;
  /** The detached root digest written beside the archive (`<name>.bundle.sha256`). */
  digestFile: string;
}

interface PlannedEntry {
  /** Path inside the archive, below `<bundleId>/`; folders end with '/'. */
  path: string;
  type: 'file' | 'directory';
  /** Relative to the bundle, for files. */
  rel: string;
  size: number;
}

/**
 * Packs a bundle directory into a deterministic `.tar.gz` (default `<dir>.tar.gz`): the bundle must
 * verify first. Entries are the manifest's files plus manifest.json under one folder named after the
 * bundle id, sorted by path, with mtime 0, uid/gid 0, empty owner names, mode 0644 (folders 0755);
 * gzip at a fixed level with no file name and mtime 0 in its header. The file is written under a
 * temporary name and renamed into place; the bundle's root digest goes beside it (`<name>.bundle.sha256`).
 */
export async function packBundle(dir: string, outFile?: string): Promise<PackResult> {
  const v = await verifyBundle(dir, { leakCheck: false });
  if (!v.ok || !v.manifest)
    throw new BundleError([
      `${dir}: not packed, the bundle does not verify:`,
      ...v.problems.map((p) => formatProblem(v, p)),
    ]);
  const manifest = v.manifest;
  const rootSha256 = v.rootSha256 as string;
  const root = resolve(dir);
  const out = resolve(outFile ?? `${root}.tar.gz`);
  const inside = relative(root, out);
  if (inside === '' || (!inside.startsWith('..') && !isAbsolute(inside)))
    throw new BundleError(`${out}: the packed file may not be written inside the bundle it packs`);
  const digestFile = detachedDigestPath(out);
  for (const target of [out, digestFile]) await requireFileTarget(target);

  const id = manifest.bundleId;
  const manifestSize = (await stat(join(root, MANIFEST_FILE))).size;
  const files = [
    { rel: MANIFEST_FILE, size: manifestSize },
    ...manifest.files.map((f) => ({ rel: f.path, size: f.bytes })),
  ];
  const dirs = new Set<string>(['']);
  for (const f of files) for (let d = dirname(f.rel); d !== '.'; d = dirname(d)) dirs.add(d);
  const plan: PlannedEntry[] = [
    ...[...dirs].map((d) => ({
      path: d ? `${id}/${d}/` : `${id}/`,
      type: 'directory' as const,
      rel: d,
      size: 0,
    })),
    ...files.map((f) => ({ path: `${id}/${f.rel}`, type: 'file' as const, rel: f.rel, size: f.size })),
  ].sort((a, b) => comparePaths(a.path, b.path));
  for (const e of plan) {
    try {
      encodeHeader(e); // refuses paths ustar cannot hold before anything is written
    } catch (err) {
      if (err instanceof TarError) throw new BundleError(`${dir}: cannot pack: ${err.message}`);
      throw err;
    }
  }

  const tmp = join(dirname(out), `.${basename(out)}.tmp-${randomBytes(4).toString('hex')}`);
  const tmpDigest = `${tmp}${DIGEST_TMP}`;
  holdScratch(tmp);
  holdScratch(tmpDigest);
  try {
    await pipeline(
      Readable.from(tarStream(root, plan)),
      createGzip({ level: GZIP_LEVEL }),
      normaliseGzipHeader(),
      createWriteStream(tmp, { mode: 0o644 }),
    );
    const fh = await open(tmp, 'r');
    let bytes: number;
    try {
      await fh.sync();
      bytes = (await fh.stat()).size;
    } finally {
      await fh.close();
    }
    await writeFile(tmpDigest, formatDetachedDigest(rootSha256, id), { mode: 0o644 });
    await rename(tmp, out);
    await rename(tmpDigest, digestFile);
    await fsyncDir(dirname(out));
    return { file: out, bundleId: id, entries: plan.length, bytes, rootSha256, digestFile };
  } catch (err) {
    await rm(tmp, { force: true });
    await rm(tmpDigest, { force: true });
    const e = err as NodeJS.ErrnoException;
    if (typeof e.code === 'string' && typeof e.syscall === 'string')
      throw new BundleError(`${out}: cannot write the packed bundle: ${writeFailure(e, dirname(out))}`, {
        cause: err,
      });
    throw err;
  } finally {
    releaseScratch(tmp);
    releaseScratch(tmpDigest);
  }
}

const DIGEST_TMP = '.digest';

function writeFailure(e: NodeJS.ErrnoException, dir: string): string {
  switch (e.code) {
    case 'ENOENT':
      return `${dir} does not take new files`;
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EROFS':
      return 'read-only file system';
    case 'ENOSPC':
      return 'no space left on device';
    case 'EDQUOT':
      return 'disk quota exceeded';
    default:
      return `${e.code} (${e.syscall})`;
  }
}

/**
 * The archive and its digest replace regular files only: an existing directory, device or link in the
 * way is refused by name rather than failing half-way (or, for /proc/version, writing into /proc).
 */
async function requireFileTarget(target: string): Promise<void> {
  try {
    const st = await lstat(target);
    if (!st.isFile())
      throw new BundleError(
        `${target}: exists and is a ${kindOf(st)}; the packed bundle is written as a regular file`,
      );
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  try {
    await ensureDir(dirname(target));
  } catch (err) {
    if (err instanceof DirectoryError) throw new BundleError(`${target}: cannot write here: ${err.message}`);
    throw err;
  }
}

async function* tarStream(root: string, plan: PlannedEntry[]): AsyncGenerator<Buffer> {
  for (const e of plan) {
    yield encodeHeader(e);
    if (e.type === 'directory') continue;
    let n = 0;
    const { fh } = await openRegularFile(join(root, e.rel));
    try {
      for await (const chunk of fh.createReadStream({ highWaterMark: 1 << 20, autoClose: false })) {
        const buf = chunk as Buffer;
        n += buf.length;
        if (n > e.size) break;
        yield buf;
      }
    } finally {
      await fh.close();
    }
    if (n !== e.size) throw new BundleError(`${join(root, e.rel)}: changed while it was being packed`);
    const pad = paddingFor(e.size);
    if (pad > 0) yield Buffer.alloc(pad);
  }
  yield END_OF_ARCHIVE;
}

/**
 * zlib writes mtime 0 and no file name, but the OS byte is whatever zlib was built for; pin it so a
 * bundle packed on macOS or Windows starts with the same ten bytes as one packed on Linux.
 */
function normaliseGzipHeader(): Transform {
  let pos = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      if (pos < 10) {
        const buf = Buffer.from(chunk);
        for (let i = 0; i < buf.length && pos + i < 10; i++) {
          const at = pos + i;
          if (at === 3 && buf[i] !== 0) return done(new Error('unexpected gzip header flags from zlib'));
          if (at >= 4 && at <= 7) buf[i] = 0;
          if (at === 9) buf[i] = GZIP_OS_UNIX;
        }
        pos += buf.length;
        return done(null, buf);
      }
      pos += chunk.length;
      done(null, chunk);
    },
  });
}
