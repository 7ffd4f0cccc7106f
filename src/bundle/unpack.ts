import { lstat, mkdir, open, rm, stat, statfs, type FileHandle } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { BundleError } from '../errors/bundle-error.js';
import { DirectoryError, NotRegularFileError, ensureDir } from '../util/safe-fs.js';
import { archiveChunks } from './archive-source.js';
import { installDir, pathExists } from './install-dir.js';
import { MANIFEST_FILE, MAX_MANIFEST_BYTES, bundleIdProblem } from './layout.js';
import { makeScratchDir, releaseScratch } from './scratch.js';
import { TarError } from './tar.js';
import { readTar, type TarEntry } from './tar-reader.js';
import { formatProblem, verifyBundle } from './verify.js';

export interface UnpackOptions {
  /**
   * Replace an existing `<destDir>/<bundleId>`: only a directory that is itself a bundle that verifies,
   * and only once the archive's bundle has been unpacked beside it and verified.
   */
  replace?: boolean;
  /** Refuse archives whose files add up to more than this, whatever their manifest says (default 4 GiB). */
  maxBytes?: number;
  /** Refuse archives with more entries than this (default 100 000). */
  maxEntries?: number;
  /** Free bytes on the file system holding `dir` (tests stand in for a full disk). */
  freeBytes?: (dir: string) => Promise<number>;
}

export interface UnpackResult {
  /** `<destDir>/<bundleId>`. */
  dir: string;
  bundleId: string;
  files: number;
  bytes: number;
}

interface PlannedEntry {
  rel: string;
  kind: 'file' | 'directory';
  size: number;
}

/** The absolute bound on an archive's unpacked files, whatever its manifest claims. */
export const MAX_UNPACKED_BYTES = 4 * 1024 ** 3;
export const MAX_ARCHIVE_ENTRIES = 100_000;
/** Left free on the destination's file system after unpacking. */
const DISK_RESERVE = 64 * 1024 ** 2;

/**
 * Unpacks a packed bundle (`.tar.gz` or `.tar`) into `<destDir>/<bundleId>`. Two passes: the first reads
 * every header and refuses the archive, before anything is written, if any entry is unsafe (absolute
 * path, `..`, link, device, FIFO, path escaping destDir, duplicate or conflicting names), it is not one
 * bundle folder with a manifest.json, or it holds more than that manifest accounts for (a file larger
 * than listed, more bytes than listed in all, more than the absolute cap or the free disk). The second
 * writes into a hidden temporary directory inside destDir and renames the bundle folder into place, so
 * a failure or an interrupt leaves nothing that looks unpacked.
 */
export async function unpackBundle(
  file: string,
  destDir: string,
  opts: UnpackOptions = {},
): Promise<UnpackResult> {
  const dest = resolve(destDir);
  await refuseNonDirectory(dest);
  const plan = await planUnpack(file, dest, opts);
  const bundleId = plan[0].rel.split('/')[0];
  const target = join(dest, bundleId);
  const exists = await pathExists(target);
  if (exists && !opts.replace)
    throw new BundleError(`${target} already exists; pass --replace (or {replace: true}) to overwrite it`);
  if (exists) await requireReplaceableBundle(target, bundleId);

  try {
    await ensureDir(dest);
  } catch (err) {
    if (err instanceof DirectoryError) throw new BundleError(err.message, { cause: err });
    throw err;
  }
  const files = plan.filter((e) => e.kind === 'file');
  const bytes = files.reduce((n, e) => n + e.size, 0);
  await requireFreeSpace(dest, bytes, opts);
  const tmp = await makeScratchDir(join(dest, '.unpack-'));
  try {
    await writeEntries(file, tmp, plan);
    if (exists) {
      const v = await verifyBundle(join(tmp, bundleId), { leakCheck: false });
      if (!v.ok)
        throw new BundleError([
          `${file}: not unpacked over ${target}: the archive's bundle does not verify (${target} left as it was):`,
          ...v.problems.slice(0, 20).map((p) => `  ${formatProblem({ source: file, packed: true }, p)}`),
        ]);
    }
    await installDir(join(tmp, bundleId), target, { replace: opts.replace, replaceHint: 'pass --replace' });
  } finally {
    await rm(tmp, { recursive: true, force: true });
    releaseScratch(tmp);
  }
  return { dir: target, bundleId, files: files.length, bytes };
}

async function refuseNonDirectory(dest: string): Promise<void> {
  try {
    const st = await lstat(dest);
    if (st.isDirectory()) return;
    if (st.isSymbolicLink()) {
      // a link the caller named is theirs to use, as long as it leads to a directory
      if ((await stat(dest).catch(() => null))?.isDirectory()) return;
    }
    throw new BundleError(`${dest}: exists and is not a directory; unpack into a directory`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
}

/**
 * --replace deletes what is there, so what is there must be what the flag promises to replace: a bundle
 * of the same id that verifies. Anything else (a directory of someone's work that happens to carry the
 * archive's folder name, a damaged bundle kept for inspection) is refused.
 */
async function requireReplaceableBundle(target: string, bundleId: string): Promise<void> {
  const st = await lstat(target);
  if (!st.isDirectory())
    throw new BundleError(`${target} exists and is not a directory; --replace only replaces a bundle`);
  const v = await verifyBundle(target, { leakCheck: false });
  const why = !v.ok
    ? `it does not verify (${v.problems[0] ? formatProblem(v, v.problems[0]) : 'unknown problem'})`
    : v.manifest?.bundleId !== bundleId
      ? `its manifest names bundle ${JSON.stringify(v.manifest?.bundleId)}`
      : null;
  if (why)
    throw new BundleError(
      `${target} exists and is not a bundle that --replace may overwrite (${why}); nothing was changed: move it away yourself`,
    );
}

async function requireFreeSpace(dest: string, bytes: number, opts: UnpackOptions): Promise<void> {
  let free: number;
  try {
    free = opts.freeBytes
      ? await opts.freeBytes(dest)
      : await statfs(dest).then((s) => Number(s.bavail) * Number(s.bsize));
  } catch {
    return; // a file system that cannot tell: the write itself will fail on a full disk
  }
  if (bytes + DISK_RESERVE > free)
    throw new BundleError(
      `${dest}: not enough free space to unpack ${bytes} bytes (${free} bytes free, ${DISK_RESERVE} kept in reserve)`,
    );
}

/** What manifest.json says each file holds: the bound every entry is held to. */
interface Bounds {
  files: Map<string, number>;
  total: number;
}

/** Pass 1: every header, nothing written. */
async function planUnpack(file: string, dest: string, opts: UnpackOptions): Promise<PlannedEntry[]> {
  const maxBytes = opts.maxBytes ?? MAX_UNPACKED_BYTES;
  const maxEntries = opts.maxEntries ?? MAX_ARCHIVE_ENTRIES;
  const kinds = new Map<string, 'file' | 'directory'>();
  const plan: PlannedEntry[] = [];
  // asserted wider: they are assigned inside the callback, which TypeScript's narrowing cannot see
  let top = null as string | null;
  let bounds = null as Bounds | null;
  let manifestChunks = null as Buffer[] | null;
  let bytes = 0;
  await withTarErrors(file, async () => {
    for await (const ev of readTar(archiveChunks(file))) {
      if (ev.type === 'data') {
        manifestChunks?.push(ev.chunk);
        continue;
      }
      if (ev.type === 'entry-end') {
        if (manifestChunks) {
          bounds = parseBounds(file, `${top}/${MANIFEST_FILE}`, Buffer.concat(manifestChunks));
          manifestChunks = null;
          // entries seen before the manifest are held to it now
          for (const e of plan) checkBound(file, e, top as string, bounds);
          checkTotal(file, bytes, bounds, maxBytes);
        }
        continue;
      }
      const e = ev.entry;
      const planned = checkEntry(e, dest, kinds);
      if (!planned) continue;
      const refuse = (why: string): never => {
        throw new BundleError(`${file}: entry ${JSON.stringify(e.path)}: ${why}`);
      };
      const head = planned.rel.split('/')[0];
      if (top === null) top = head;
      else if (head !== top)
        throw new BundleError(
          `${file}: not a packed bundle: expected one top-level folder, found ${JSON.stringify(top)}, ${JSON.stringify(head)}`,
        );
      if (plan.length >= maxEntries) refuse(`more than ${maxEntries} entries; refused`);
      if (planned.kind === 'file' && planned.rel === `${top}/${MANIFEST_FILE}`) {
        if (planned.size > MAX_MANIFEST_BYTES)
          refuse(`a ${planned.size}-byte manifest (at most ${MAX_MANIFEST_BYTES}); refused`);
        manifestChunks = [];
      }
      bytes += planned.size;
      if (bounds) checkBound(file, planned, top, bounds);
      checkTotal(file, bytes, bounds, maxBytes);
      plan.push(planned);
    }
  });

  if (top === null)
    throw new BundleError(`${file}: not a packed bundle: expected one top-level folder, found none`);
  if (kinds.get(top) !== 'directory')
    throw new BundleError(`${file}: not a packed bundle: top-level ${JSON.stringify(top)} is not a folder`);
  const bad = bundleIdProblem(top);
  if (bad) throw new BundleError(`${file}: not a packed bundle: ${bad}`);
  if (kinds.get(`${top}/${MANIFEST_FILE}`) !== 'file')
    throw new BundleError(`${file}: not a packed bundle: ${top}/${MANIFEST_FILE} is missing`);
  return plan;
}

/**
 * Only what bounding needs: `files[]` with a path and a byte count each. Everything else about the
 * manifest is verify's business; a manifest that cannot even say how big the files are cannot vouch
 * for an archive that could hold anything.
 */
function parseBounds(file: string, rel: string, text: Buffer): Bounds {
  const refuse = (why: string): never => {
    throw new BundleError(
      `${file}!${rel}: ${why}; the archive cannot be bounded by it, so nothing was unpacked`,
    );
  };
  let raw: unknown;
  try {
    raw = JSON.parse(text.toString('utf8'));
  } catch (err) {
    return refuse(`not valid JSON (${(err as Error).message.slice(0, 120)})`);
  }
  const list = (raw as { files?: unknown } | null)?.files;
  if (!Array.isArray(list)) return refuse('no files[] list');
  const files = new Map<string, number>();
  let total = text.length;
  for (const f of list as unknown[]) {
    const path = (f as { path?: unknown } | null)?.path;
    const size = (f as { bytes?: unknown } | null)?.bytes;
    if (typeof path !== 'string' || typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0)
      return refuse('a files[] entry without a path and a byte count');
    // a path listed twice is verify's finding; the bound takes the smaller claim
    files.set(path, Math.min(size, files.get(path) ?? size));
    total += size;
  }
  return { files, total };
}

function checkBound(file: string, e: PlannedEntry, top: string, bounds: Bounds): void {
  if (e.kind !== 'file' || e.rel === `${top}/${MANIFEST_FILE}`) return;
  const listed = bounds.files.get(e.rel.slice(top.length + 1));
  if (listed !== undefined && e.size > listed)
    throw new BundleError(
      `${file}: entry ${JSON.stringify(e.rel)}: ${e.size} bytes, more than the ${listed} its manifest lists; refused`,
    );
}

function checkTotal(file: string, bytes: number, bounds: Bounds | null, maxBytes: number): void {
  if (bytes > maxBytes)
    throw new BundleError(`${file}: files add up to more than ${maxBytes} bytes; refused`);
  if (bounds && bytes > bounds.total)
    throw new BundleError(
      `${file}: files add up to more than the ${bounds.total} bytes its manifest accounts for; refused`,
    );
}

/**
 * The safety rules for one entry. Returns what to create, null for an entry naming the root itself
 * (`./`), or throws naming the entry. `kinds` accumulates every path seen, including implied parents.
 */
function checkEntry(
  e: TarEntry,
  dest: string,
  kinds: Map<string, 'file' | 'directory'>,
): PlannedEntry | null {
  const refuse = (why: string): never => {
    throw new TarError(`unsafe entry ${JSON.stringify(e.path)}: ${why}`);
  };
  switch (e.kind) {
    case 'file':
    case 'directory':
      break;
    case 'symlink':
      return refuse(`symbolic link (to ${JSON.stringify(e.linkname)}) refused`);
    case 'hardlink':
      return refuse(`hard link (to ${JSON.stringify(e.linkname)}) refused`);
    case 'char-device':
      return refuse('character device refused');
    case 'block-device':
      return refuse('block device refused');
    case 'fifo':
      return refuse('FIFO refused');
    default:
      return refuse(`unsupported entry type ${JSON.stringify(e.typeflag).replace(/"/g, "'")} refused`);
  }
  const p = e.path;
  if (p === '') return refuse('empty path');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(p)) return refuse('control character in path');
  if (p.includes('\\')) return refuse('backslash in path');
  if (p.startsWith('/')) return refuse('absolute path');
  if (/^[A-Za-z]:/.test(p)) return refuse('drive-letter path');
  const segments = p.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.includes('..')) return refuse("'..' segment");
  if (segments.length === 0) {
    if (e.kind === 'directory') return null;
    return refuse('names the target directory itself');
  }
  const rel = segments.join('/');
  const abs = resolve(dest, rel);
  if (!abs.startsWith(dest + sep)) return refuse(`resolves to ${abs}, outside ${dest}`);

  for (let i = 1; i < segments.length; i++) {
    const parent = segments.slice(0, i).join('/');
    const seen = kinds.get(parent);
    if (seen === 'file') return refuse(`its parent ${JSON.stringify(parent)} is a file in the same archive`);
    if (!seen) kinds.set(parent, 'directory');
  }
  const seen = kinds.get(rel);
  if (seen === 'file') return refuse('appears twice');
  if (seen === 'directory' && e.kind === 'file') return refuse('is a file and a folder in the same archive');
  kinds.set(rel, e.kind);
  return { rel, kind: e.kind, size: e.kind === 'file' ? e.size : 0 };
}

/** Pass 2: the same stream again, written below `root`; it must match the plan entry for entry. */
async function writeEntries(file: string, root: string, plan: PlannedEntry[]): Promise<void> {
  let i = 0;
  let fh: FileHandle | null = null;
  const changed = (): never => {
    throw new BundleError(`${file}: archive changed while it was being unpacked; nothing was installed`);
  };
  try {
    await withTarErrors(file, async () => {
      for await (const ev of readTar(archiveChunks(file))) {
        if (ev.type === 'data') {
          if (fh) await fh.writeFile(ev.chunk);
          continue;
        }
        if (ev.type === 'entry-end') {
          if (fh) {
            await fh.sync();
            await fh.close();
            fh = null;
          }
          continue;
        }
        const segments = ev.entry.path.split('/').filter((s) => s !== '' && s !== '.');
        if (segments.length === 0 && ev.entry.kind === 'directory') continue;
        const want = plan[i++];
        if (!want || want.rel !== segments.join('/') || want.kind !== ev.entry.kind) changed();
        if (want.kind === 'file' && want.size !== ev.entry.size) changed();
        const abs = join(root, want.rel);
        if (want.kind === 'directory') {
          await mkdir(abs, { recursive: true, mode: 0o755 });
        } else {
          await mkdir(dirname(abs), { recursive: true, mode: 0o755 });
          fh = await open(abs, 'wx', 0o644);
        }
      }
    });
    if (i !== plan.length) changed();
  } finally {
    const open = fh as FileHandle | null;
    if (open) await open.close();
  }
}

async function withTarErrors(file: string, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (err) {
    if (err instanceof TarError) throw new BundleError(`${file}: ${err.message}`, { cause: err });
    if (err instanceof NotRegularFileError)
      throw new BundleError(`${file}: is a ${err.kind}, not a packed bundle (.tar.gz or .tar)`, {
        cause: err,
      });
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT' && e.path === file)
      throw new BundleError(`${file}: no such file`, { cause: err });
    if (e.code === 'EACCES' && e.path === file)
      throw new BundleError(`${file}: permission denied`, { cause: err });
    throw err;
  }
}
