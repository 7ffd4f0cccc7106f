import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { BundleError } from '../errors/bundle-error.js';
import { GroundTruthSchema, type GroundTruth } from './ground-truth.js';
import { BUNDLE_FORMAT, MANIFEST_FILE, TRUTH_FILE, bundlePathProblem } from './layout.js';
import { ManifestSchema, formatIssues, type Manifest } from './manifest.js';
import { unpackBundle } from './unpack.js';
import { formatProblem, verifyBundle } from './verify.js';

export interface BundleHandle {
  readonly manifest: Manifest;
  /** The bundle directory (a temporary one for a packed bundle, valid until close()). */
  readonly dir: string;
  /** The path openBundle was given. */
  readonly source: string;
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
  /** Where a packed bundle is unpacked (default the OS temp directory). */
  tmpRoot?: string;
}

/**
 * Opens a bundle directory or a packed bundle (`.tar.gz`, `.tgz`, `.tar`; unpacked with unpack's safety
 * checks into a temporary directory that close() removes). The manifest is parsed and checked for
 * format 1; file contents are not checked against the manifest unless `verify` is set.
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

  const tmp = await mkdtemp(join(opts.tmpRoot ?? tmpdir(), 'firedrill-bundle-'));
  try {
    const { dir } = await unpackBundle(path, tmp);
    return await open(dir, path, tmp, opts);
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
}

async function open(
  dir: string,
  source: string,
  tmp: string | null,
  opts: OpenOptions,
): Promise<BundleHandle> {
  if (opts.verify) {
    const v = await verifyBundle(dir, { leakCheck: false });
    if (!v.ok)
      throw new BundleError([
        `${source}: bundle does not verify:`,
        ...v.problems.map((p) => formatProblem({ source, packed: tmp !== null }, p)),
      ]);
  }
  const manifest = await loadManifest(dir, source);
  const listed = new Set(manifest.files.map((f) => f.path));
  const where = (rel: string): string => (tmp ? `${source}!${rel}` : join(source, rel));
  const abs = (rel: string): string => {
    if (rel !== MANIFEST_FILE) {
      const bad = bundlePathProblem(rel);
      if (bad) throw new BundleError(`${source}: ${bad}`);
    }
    return join(dir, rel);
  };
  const readText = async (rel: string): Promise<string> => {
    try {
      return await readFile(abs(rel), 'utf8');
    } catch (err) {
      if (err instanceof BundleError) throw err;
      throw new BundleError(
        `${where(rel)}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : (err as Error).message}`,
        { cause: err },
      );
    }
  };
  const readJson = async <T>(rel: string): Promise<T> => {
    const text = await readText(rel);
    try {
      return JSON.parse(text) as T;
    } catch (err) {
      throw new BundleError(`${where(rel)}: invalid JSON (${(err as Error).message})`, { cause: err });
    }
  };
  let closed = false;
  return {
    manifest,
    dir,
    source,
    has: (rel) => listed.has(rel),
    readText,
    readJson,
    readNdjson: <T>(rel: string) => readNdjson<T>(abs(rel), where(rel)),
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
    },
  };
}

async function loadManifest(dir: string, source: string): Promise<Manifest> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(join(dir, MANIFEST_FILE), 'utf8'));
  } catch (err) {
    const why =
      (err as NodeJS.ErrnoException).code === 'ENOENT'
        ? 'no manifest.json: not a bundle, or an unfinished one'
        : `manifest.json: ${(err as Error).message}`;
    throw new BundleError(`${source}: ${why}`, { cause: err });
  }
  const format = (raw as { format?: unknown } | null)?.format;
  if (format !== BUNDLE_FORMAT)
    throw new BundleError(
      `${source}: bundle format ${JSON.stringify(format) ?? 'missing'} is not supported (this firedrill reads format ${BUNDLE_FORMAT})`,
    );
  const r = ManifestSchema.safeParse(raw);
  if (!r.success) throw new BundleError(formatIssues(r.error).map((l) => `${source}: manifest.json: ${l}`));
  return r.data;
}

async function* readNdjson<T>(abs: string, where: string): AsyncGenerator<T> {
  const stream = createReadStream(abs, { encoding: 'utf8', highWaterMark: 1 << 20 });
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let n = 0;
  try {
    for await (const line of lines) {
      n++;
      let record: T;
      try {
        record = JSON.parse(line) as T;
      } catch (err) {
        throw new BundleError(`${where}: line ${n}: invalid JSON (${(err as Error).message})`, {
          cause: err,
        });
      }
      yield record;
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      throw new BundleError(`${where}: missing`, { cause: err });
    throw err;
  } finally {
    lines.close();
    stream.destroy();
  }
}
