import { mkdir, mkdtemp, open, rm, type FileHandle } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { BundleError } from '../errors/bundle-error.js';
import { archiveChunks } from './archive-source.js';
import { installDir, pathExists } from './install-dir.js';
import { MANIFEST_FILE, bundleIdProblem } from './layout.js';
import { TarError } from './tar.js';
import { readTar, type TarEntry } from './tar-reader.js';

export interface UnpackOptions {
  /** Replace an existing `<destDir>/<bundleId>` instead of failing. */
  replace?: boolean;
  /** Refuse archives whose files add up to more than this (default 16 GiB): a gzip bomb fills no disk. */
  maxBytes?: number;
  /** Refuse archives with more entries than this (default 100 000). */
  maxEntries?: number;
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

const DEFAULT_MAX_BYTES = 16 * 1024 ** 3;
const DEFAULT_MAX_ENTRIES = 100_000;

/**
 * Unpacks a packed bundle (`.tar.gz` or `.tar`) into `<destDir>/<bundleId>`. Two passes: the first reads
 * every header and refuses the archive, before anything is written, if any entry is unsafe (absolute
 * path, `..`, link, device, FIFO, path escaping destDir, duplicate or conflicting names) or it is not
 * one bundle folder with a manifest.json. The second writes into a hidden temporary directory inside
 * destDir and renames the bundle folder into place, so a failure leaves nothing that looks unpacked.
 */
export async function unpackBundle(
  file: string,
  destDir: string,
  opts: UnpackOptions = {},
): Promise<UnpackResult> {
  const dest = resolve(destDir);
  const plan = await planUnpack(file, dest, opts);
  const bundleId = plan[0].rel.split('/')[0];
  const target = join(dest, bundleId);
  if (!opts.replace && (await pathExists(target)))
    throw new BundleError(`${target} already exists; pass --replace (or {replace: true}) to overwrite it`);

  await mkdir(dest, { recursive: true });
  const tmp = await mkdtemp(join(dest, '.unpack-'));
  try {
    await writeEntries(file, tmp, plan);
    await installDir(join(tmp, bundleId), target, { replace: opts.replace, replaceHint: 'pass --replace' });
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  const files = plan.filter((e) => e.kind === 'file');
  return { dir: target, bundleId, files: files.length, bytes: files.reduce((n, e) => n + e.size, 0) };
}

/** Pass 1: every header, nothing written. */
async function planUnpack(file: string, dest: string, opts: UnpackOptions): Promise<PlannedEntry[]> {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  const maxEntries = opts.maxEntries ?? DEFAULT_MAX_ENTRIES;
  const kinds = new Map<string, 'file' | 'directory'>();
  const plan: PlannedEntry[] = [];
  let bytes = 0;
  await withTarErrors(file, async () => {
    for await (const ev of readTar(archiveChunks(file))) {
      if (ev.type !== 'entry') continue;
      const e = ev.entry;
      const planned = checkEntry(e, dest, kinds);
      if (!planned) continue;
      const refuse = (why: string): never => {
        throw new BundleError(`${file}: entry ${JSON.stringify(e.path)}: ${why}`);
      };
      if (plan.length >= maxEntries) refuse(`more than ${maxEntries} entries; refused`);
      bytes += planned.size;
      if (bytes > maxBytes) refuse(`files add up to more than ${maxBytes} bytes; refused`);
      plan.push(planned);
    }
  });

  const tops = [...new Set(plan.map((e) => e.rel.split('/')[0]))];
  if (tops.length !== 1)
    throw new BundleError(
      `${file}: not a packed bundle: expected one top-level folder, found ${tops.length === 0 ? 'none' : tops.map((t) => `${JSON.stringify(t)}`).join(', ')}`,
    );
  const top = tops[0];
  if (kinds.get(top) !== 'directory')
    throw new BundleError(`${file}: not a packed bundle: top-level ${JSON.stringify(top)} is not a folder`);
  const bad = bundleIdProblem(top);
  if (bad) throw new BundleError(`${file}: not a packed bundle: ${bad}`);
  if (kinds.get(`${top}/${MANIFEST_FILE}`) !== 'file')
    throw new BundleError(`${file}: not a packed bundle: ${top}/${MANIFEST_FILE} is missing`);
  return plan;
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
      return refuse(`unsupported entry type '${e.typeflag}' refused`);
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
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' && (err as NodeJS.ErrnoException).path === file)
      throw new BundleError(`${file}: no such file`, { cause: err });
    throw err;
  }
}
