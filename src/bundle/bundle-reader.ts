import { createHash } from 'node:crypto';
import { lstat, readdir, rm, stat, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BundleError } from '../errors/bundle-error.js';
import { IntegrityError } from '../errors/integrity-error.js';
import {
  FileTooLargeError,
  NotRegularFileError,
  kindOf,
  openRegularFile,
  readRegularFile,
} from '../util/safe-fs.js';
import { GroundTruthSchema, type GroundTruth } from './ground-truth.js';
import { BUNDLE_FORMAT, MANIFEST_FILE, MAX_MANIFEST_BYTES, TRUTH_FILE, bundlePathProblem } from './layout.js';
import { ManifestSchema, formatIssues, type FileEntry, type Manifest } from './manifest.js';
import { readDetachedDigest, rootDigestProblem } from './root-digest.js';
import { makeScratchDir, releaseScratch } from './scratch.js';
import { unpackBundle } from './unpack.js';
import { formatProblem, verifyBundle } from './verify.js';

export interface BundleHandle {
  readonly manifest: Manifest;
  /** The bundle directory (a temporary one for a packed bundle, valid until close()). */
  readonly dir: string;
  /** The path openBundle was given. */
  readonly source: string;
  /** SHA-256 of manifest.json as read: the bundle's root digest (root-digest.ts). */
  readonly rootSha256: string;
  /** Listed in the manifest. */
  has(rel: string): boolean;
  readText(rel: string): Promise<string>;
  readJson<T = unknown>(rel: string): Promise<T>;
  /** Streams one parsed record a line; throws naming the line on one that is not JSON. */
  readNdjson<T = unknown>(rel: string): AsyncIterable<T>;
  /** truth/ground_truth.json, validated and with defaults applied. */
  groundTruth(): Promise<GroundTruth>;
  /** Removes the temporary directory of a packed bundle; a no-op for a directory. */
  close(): Promise<void>;
}

export interface OpenOptions {
  /** Run verifyBundle first and throw listing every problem (reads every byte once). Default false. */
  verify?: boolean;
  /**
   * Check every file read through the handle against the manifest: listed, no larger than listed, the
   * listed SHA-256 once read (a stream is checked when it ends, or drained to check when left early).
   * Default true; false is `--no-verify`, for authors editing a bundle by hand. Links are refused either way.
   */
  checkReads?: boolean;
  /** The root digest the bundle must have (a corpus index pins it); IntegrityError otherwise. */
  rootSha256?: string;
  /** Where a packed bundle is unpacked (default the OS temp directory). */
  tmpRoot?: string;
}

/** Whole-file reads without a manifest entry to bound them (--no-verify). */
const MAX_UNCHECKED_READ = 256 * 1024 ** 2;
const CHUNK = 1 << 20;

/**
 * Opens a bundle directory or a packed bundle (`.tar.gz`, `.tgz`, `.tar`; unpacked with unpack's safety
 * checks and bounds into a temporary directory that close() removes, also on an interrupt). The manifest
 * is parsed and checked for format 1; a detached root digest beside a packed bundle must match it. A
 * bundle holding a symbolic link or any other non-regular file anywhere is refused, and every read is
 * checked against the manifest unless `checkReads` is false.
 */
export async function openBundle(path: string, opts: OpenOptions = {}): Promise<BundleHandle> {
  let isDir: boolean;
  try {
    isDir = (await stat(path)).isDirectory();
  } catch (err) {
    throw new BundleError(
      `${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (err as Error).message}`,
      { cause: err },
    );
  }
  if (isDir) return open(resolve(path), path, null, opts);

  const tmp = await makeScratchDir(join(opts.tmpRoot ?? tmpdir(), 'firedrill-bundle-'));
  try {
    const { dir, bundleId } = await unpackBundle(path, tmp);
    const handle = await open(dir, path, tmp, opts);
    const pinned = await readDetachedDigest(path);
    const why = pinned ? rootDigestProblem({ rootSha256: handle.rootSha256, bundleId }, pinned) : null;
    if (why) throw new IntegrityError(`${path}!${MANIFEST_FILE}`, why);
    return handle;
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    releaseScratch(tmp);
    throw err;
  }
}

async function open(
  dir: string,
  source: string,
  tmp: string | null,
  opts: OpenOptions,
): Promise<BundleHandle> {
  const where = (rel: string): string => (tmp ? `${source}!${rel}` : join(source, rel));
  await refuseLinks(dir, where);
  if (opts.verify) {
    const v = await verifyBundle(dir, { leakCheck: false });
    if (!v.ok)
      throw new BundleError([
        `${source}: bundle does not verify:`,
        ...v.problems.map((p) => formatProblem({ source, packed: tmp !== null }, p)),
      ]);
  }
  const { manifest, rootSha256, text: manifestText } = await loadManifest(dir, source, where);
  if (opts.rootSha256 !== undefined && opts.rootSha256 !== rootSha256)
    throw new IntegrityError(
      where(MANIFEST_FILE),
      `sha256 ${rootSha256} differs from the pinned root digest ${opts.rootSha256} (the bundle was changed after it was indexed)`,
    );
  const checked = opts.checkReads !== false;
  const entries = new Map<string, FileEntry>(manifest.files.map((f) => [f.path, f]));

  /** The absolute path of a data file, after the checks every read shares. */
  const locate = async (rel: string): Promise<{ abs: string; entry: FileEntry | null }> => {
    const bad = bundlePathProblem(rel);
    if (bad) throw new BundleError(`${source}: ${bad}`);
    const entry = entries.get(rel) ?? null;
    if (checked && !entry)
      throw new IntegrityError(where(rel), `not listed in ${MANIFEST_FILE}; refusing to read it`);
    // the last component is opened without following links; the folders above it are checked here
    const parts = rel.split('/');
    for (let i = 1; i < parts.length; i++) {
      const st = await lstat(join(dir, ...parts.slice(0, i))).catch(() => null);
      if (st && !st.isDirectory())
        throw new BundleError(`${where(parts.slice(0, i).join('/'))}: is a ${kindOf(st)}; refused`);
    }
    return { abs: join(dir, rel), entry };
  };

  const readBytes = async (rel: string): Promise<Buffer> => {
    if (rel === MANIFEST_FILE) return manifestText;
    const { abs, entry } = await locate(rel);
    const limit = checked && entry ? entry.bytes : MAX_UNCHECKED_READ;
    let buf: Buffer;
    try {
      buf = await readRegularFile(abs, { maxBytes: limit });
    } catch (err) {
      throw readError(err, where(rel), checked ? entry : null);
    }
    if (checked && entry) checkDigest(where(rel), entry, buf.length, sha256Of(buf));
    return buf;
  };
  const readText = async (rel: string): Promise<string> => (await readBytes(rel)).toString('utf8');
  const readJson = async <T>(rel: string): Promise<T> => {
    const text = await readText(rel);
    try {
      return JSON.parse(text) as T;
    } catch (err) {
      throw new BundleError(`${where(rel)}: invalid JSON (${(err as Error).message.slice(0, 200)})`, {
        cause: err,
      });
    }
  };
  let closed = false;
  return {
    manifest,
    dir,
    source,
    rootSha256,
    has: (rel) => entries.has(rel),
    readText,
    readJson,
    readNdjson: <T>(rel: string) => {
      const bad = bundlePathProblem(rel);
      if (bad) throw new BundleError(`${source}: ${bad}`);
      return readNdjson<T>(() => locate(rel), where(rel), checked);
    },
    groundTruth: async () => {
      const doc = await readJson<unknown>(TRUTH_FILE);
      const r = GroundTruthSchema.safeParse(doc);
      if (!r.success) throw new BundleError(formatIssues(r.error).map((l) => `${where(TRUTH_FILE)}: ${l}`));
      return r.data;
    },
    close: async () => {
      if (closed || !tmp) return;
      closed = true;
      await rm(tmp, { recursive: true, force: true });
      releaseScratch(tmp);
    },
  };
}

/**
 * A bundle is regular files in folders. A symbolic link anywhere in it could hand a reader a file from
 * outside (snapshot/events.ndjson → /etc/shadow exported; truth/ → a forged answer key graded), so a
 * bundle holding one is not read at all, whatever the manifest lists.
 */
async function refuseLinks(dir: string, where: (rel: string) => string): Promise<void> {
  const found: string[] = [];
  const visit = async (rel: string, depth: number): Promise<void> => {
    if (depth > 16 || found.length >= 10) return;
    for (const d of await readdir(rel ? join(dir, rel) : dir, { withFileTypes: true })) {
      const p = rel ? `${rel}/${d.name}` : d.name;
      if (d.isDirectory()) await visit(p, depth + 1);
      else if (!d.isFile()) {
        const st = await lstat(join(dir, p)).catch(() => null);
        found.push(`${where(p)}: is a ${st ? kindOf(st) : 'special file'}`);
      }
    }
  };
  await visit('', 0);
  if (found.length > 0)
    throw new BundleError([
      `${where('').replace(/[/!]$/, '')}: refused: a bundle holds regular files and folders only, never links or devices:`,
      ...found.map((f) => `  ${f}`),
    ]);
}

async function loadManifest(
  dir: string,
  source: string,
  where: (rel: string) => string,
): Promise<{ manifest: Manifest; rootSha256: string; text: Buffer }> {
  let text: Buffer;
  let raw: unknown;
  try {
    text = await readRegularFile(join(dir, MANIFEST_FILE), { maxBytes: MAX_MANIFEST_BYTES });
    raw = JSON.parse(text.toString('utf8'));
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why =
      e.code === 'ENOENT'
        ? 'no manifest.json: not a bundle, or an unfinished one'
        : err instanceof NotRegularFileError
          ? `manifest.json: is a ${err.kind}; refused`
          : err instanceof FileTooLargeError
            ? `manifest.json: larger than ${MAX_MANIFEST_BYTES} bytes; refused`
            : `manifest.json: ${e.message.slice(0, 200)}`;
    throw new BundleError(`${source}: ${why}`, { cause: err });
  }
  const format = (raw as { format?: unknown } | null)?.format;
  if (format !== BUNDLE_FORMAT)
    throw new BundleError(
      `${source}: bundle format ${JSON.stringify(format) ?? 'missing'} is not supported (this firedrill reads format ${BUNDLE_FORMAT})`,
    );
  const r = ManifestSchema.safeParse(raw);
  if (!r.success) throw new BundleError(formatIssues(r.error).map((l) => `${where(MANIFEST_FILE)}: ${l}`));
  return { manifest: r.data, rootSha256: sha256Of(text), text };
}

function sha256Of(buf: Buffer): string {
  return createHash('sha256').update(buf).digest('hex');
}

function checkDigest(file: string, entry: FileEntry, bytes: number, sha256: string): void {
  if (bytes !== entry.bytes)
    throw new IntegrityError(file, `is ${bytes} bytes, ${MANIFEST_FILE} says ${entry.bytes}; refused`);
  if (sha256 !== entry.sha256)
    throw new IntegrityError(
      file,
      `sha256 ${sha256} differs from ${MANIFEST_FILE} (${entry.sha256}): changed after the bundle was written; refused`,
    );
}

function readError(err: unknown, file: string, entry: FileEntry | null): Error {
  if (err instanceof BundleError) return err;
  if (err instanceof NotRegularFileError)
    return new BundleError(`${file}: is a ${err.kind}; bundles hold regular files only`, { cause: err });
  if (err instanceof FileTooLargeError)
    return entry
      ? new IntegrityError(file, `is larger than the ${entry.bytes} bytes ${MANIFEST_FILE} says; refused`)
      : new BundleError(`${file}: larger than ${err.limit} bytes; refused`, { cause: err });
  const e = err as NodeJS.ErrnoException;
  return new BundleError(`${file}: ${e.code === 'ENOENT' ? 'missing' : e.message}`, { cause: err });
}

/**
 * One parsed record a line, read in explicit chunks so the bytes hashed are exactly the bytes parsed.
 * Checked, the file is hashed whole before the first record is handed out (a consumer never sees a
 * forged record, nor crashes on one), stopping at the first byte past the listed size; the parsing pass
 * hashes again, so a file changed between the two passes is refused when its end is reached.
 */
async function* readNdjson<T>(
  locate: () => Promise<{ abs: string; entry: FileEntry | null }>,
  where: string,
  checked: boolean,
): AsyncGenerator<T> {
  const { abs, entry } = await locate();
  let fh: FileHandle;
  try {
    ({ fh } = await openRegularFile(abs));
  } catch (err) {
    throw readError(err, where, entry);
  }
  const verify = checked && entry !== null;
  const limit = verify ? entry.bytes : Number.POSITIVE_INFINITY;
  /** Reads the file from the start, handing each chunk to `onChunk`; returns its size and digest. */
  const pass = async function* (): AsyncGenerator<Buffer, { bytes: number; sha256: string }> {
    const hash = createHash('sha256');
    let bytes = 0;
    for (;;) {
      const buf = Buffer.allocUnsafe(CHUNK);
      const { bytesRead } = await fh.read(buf, 0, CHUNK, bytes);
      if (bytesRead === 0) break;
      if (bytes + bytesRead > limit)
        throw new IntegrityError(where, `is larger than the ${limit} bytes ${MANIFEST_FILE} says; refused`);
      bytes += bytesRead;
      const chunk = buf.subarray(0, bytesRead);
      hash.update(chunk);
      yield chunk;
    }
    return { bytes, sha256: hash.digest('hex') };
  };
  const drain = async (): Promise<{ bytes: number; sha256: string }> => {
    const it = pass();
    for (let r = await it.next(); ; r = await it.next()) if (r.done) return r.value;
  };
  try {
    if (verify) {
      const first = await drain();
      checkDigest(where, entry, first.bytes, first.sha256);
    }
    let n = 0;
    let partial: Buffer[] = [];
    const parse = (line: Buffer): T => {
      n++;
      try {
        return JSON.parse(line.toString('utf8')) as T;
      } catch (err) {
        throw new BundleError(`${where}: line ${n}: invalid JSON (${(err as Error).message.slice(0, 200)})`, {
          cause: err,
        });
      }
    };
    const it = pass();
    let r = await it.next();
    for (; !r.done; r = await it.next()) {
      const chunk = r.value;
      let start = 0;
      for (let nl = chunk.indexOf(0x0a); nl !== -1; nl = chunk.indexOf(0x0a, start)) {
        const piece = chunk.subarray(start, nl);
        start = nl + 1;
        const line = partial.length > 0 ? Buffer.concat([...partial, piece]) : piece;
        partial = [];
        yield parse(line);
      }
      if (start < chunk.length) partial.push(Buffer.from(chunk.subarray(start)));
    }
    if (partial.length > 0) yield parse(Buffer.concat(partial));
    if (verify) checkDigest(where, entry, r.value.bytes, r.value.sha256);
  } finally {
    await fh.close();
  }
}
