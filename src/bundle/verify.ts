import { createHash } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { FileTooLargeError, NotRegularFileError, readRegularFile } from '../util/safe-fs.js';
import { leakPatterns } from './leak-rule.js';
import { digestFile, type ContentProblemKind } from './file-digest.js';
import { GroundTruthSchema } from './ground-truth.js';
import {
  BUNDLE_FORMAT,
  MANIFEST_FILE,
  MAX_MANIFEST_BYTES,
  SNAPSHOT_DIR,
  TRUTH_FILE,
  bundlePathProblem,
} from './layout.js';
import { FileEntrySchema, ManifestSchema, formatIssues, type FileEntry, type Manifest } from './manifest.js';

export type ProblemKind =
  | 'not-a-bundle'
  | 'archive'
  | 'missing-manifest'
  | 'invalid-manifest'
  | 'format-version'
  | 'manifest-schema'
  | 'unsafe-path'
  | 'duplicate-path'
  | 'missing-file'
  | 'not-a-regular-file'
  | 'extra-file'
  | 'bytes-mismatch'
  | 'sha256-mismatch'
  | 'records-mismatch'
  | 'invalid-ground-truth'
  | 'root-digest'
  | ContentProblemKind;

export interface BundleProblem {
  kind: ProblemKind;
  /** Path inside the bundle the problem is about; '' for the bundle as a whole. */
  path: string;
  line?: number;
  message: string;
}

export interface VerifyResult {
  /** The path that was checked, as given. */
  source: string;
  /** The source was a packed bundle (problem paths are inside the archive). */
  packed: boolean;
  ok: boolean;
  /** Files listed in the manifest. */
  files: number;
  /** The parsed manifest, when it passed the schema. */
  manifest: Manifest | null;
  /**
   * The root digest: SHA-256 of manifest.json's bytes, which list every other file's SHA-256, so it pins
   * the whole bundle. Null when there is no readable manifest.
   */
  rootSha256: string | null;
  /** Integrity problems: any one makes the bundle invalid. */
  problems: BundleProblem[];
  /** Leak-rule findings: snapshot/ files naming firedrill, the scenario or a fault type. */
  warnings: BundleProblem[];
}

export interface VerifyOptions {
  /** Invalid `.ndjson` lines listed per file before the rest are counted in one line (default 10). */
  maxLineProblems?: number;
  /** Scan snapshot/ for the leak rule (default true). */
  leakCheck?: boolean;
}

/**
 * Checks a bundle directory against its manifest and lists every problem: a missing or invalid
 * manifest, a wrong format version, files missing, extra, changed (size, sha256) or miscounted, content
 * that does not parse (with line numbers for `.ndjson`), a ground truth failing its schema.
 */
export async function verifyBundle(dir: string, opts: VerifyOptions = {}): Promise<VerifyResult> {
  const problems: BundleProblem[] = [];
  const warnings: BundleProblem[] = [];
  const result: VerifyResult = {
    source: dir,
    packed: false,
    ok: false,
    files: 0,
    manifest: null,
    rootSha256: null,
    problems,
    warnings,
  };
  const add = (kind: ProblemKind, path: string, message: string, line?: number): void => {
    problems.push(line === undefined ? { kind, path, message } : { kind, path, line, message });
  };

  try {
    if (!(await stat(dir)).isDirectory()) {
      add('not-a-bundle', '', 'not a directory');
      return result;
    }
  } catch (err) {
    add('not-a-bundle', '', errnoMessage(err));
    return result;
  }

  const read = await readManifest(dir, add);
  const raw = read?.raw;
  result.rootSha256 = read?.sha256 ?? null;
  const entries: FileEntry[] = [];
  if (raw !== undefined) {
    if (!('format' in raw))
      add('format-version', MANIFEST_FILE, `format: missing (expected ${BUNDLE_FORMAT})`);
    else if (raw.format !== BUNDLE_FORMAT)
      add(
        'format-version',
        MANIFEST_FILE,
        `format: unsupported format version ${JSON.stringify(raw.format)} (this firedrill reads format ${BUNDLE_FORMAT})`,
      );
    const parsed = ManifestSchema.safeParse(raw);
    if (parsed.success) result.manifest = parsed.data;
    else {
      const issues = parsed.error.issues.filter((i) => i.path[0] !== 'format');
      for (const line of formatIssues({ issues })) add('manifest-schema', MANIFEST_FILE, line);
    }
    if (Array.isArray(raw.files))
      for (const e of raw.files as unknown[]) {
        const fe = FileEntrySchema.safeParse(e);
        if (fe.success) entries.push(fe.data);
      }
  }
  result.files = entries.length;

  const disk = await walk(dir);
  const leakRule = opts.leakCheck === false ? [] : leakPatterns(await leakTerms(dir, raw));
  const listed = new Set<string>();
  for (const entry of entries) {
    const p = entry.path;
    const bad = bundlePathProblem(p);
    if (bad) {
      add('unsafe-path', p, `files[] entry ${bad}`);
      continue;
    }
    if (listed.has(p)) {
      add('duplicate-path', p, `listed more than once in ${MANIFEST_FILE}`);
      continue;
    }
    listed.add(p);
    const special = disk.special.get(p);
    if (special) {
      add('not-a-regular-file', p, `is a ${special}, not a regular file`);
      continue;
    }
    if (!disk.files.has(p)) {
      add('missing-file', p, `listed in ${MANIFEST_FILE} but missing`);
      continue;
    }
    const d = await digestFile(join(dir, p), p, {
      leakPatterns: p.startsWith(`${SNAPSHOT_DIR}/`) ? leakRule : [],
      maxLineProblems: opts.maxLineProblems,
    }).catch((err: unknown) => {
      // swapped for a link or a FIFO after the listing
      if (err instanceof NotRegularFileError) return err;
      throw err;
    });
    if (d instanceof NotRegularFileError) {
      add('not-a-regular-file', p, `is a ${d.kind}, not a regular file`);
      continue;
    }
    if (d.bytes !== entry.bytes)
      add('bytes-mismatch', p, `is ${d.bytes} bytes, manifest says ${entry.bytes}`);
    if (d.sha256 !== entry.sha256)
      add('sha256-mismatch', p, `sha256 ${d.sha256} differs from manifest ${entry.sha256}`);
    for (const c of d.problems) add(c.kind, p, c.message, c.line);
    if (!d.problems.some((c) => c.kind === 'invalid-json') && d.records !== entry.records)
      add('records-mismatch', p, `has ${d.records} records, manifest says ${entry.records}`);
    if (p === TRUTH_FILE && d.json !== undefined) {
      const truth = GroundTruthSchema.safeParse(d.json);
      if (!truth.success)
        for (const line of formatIssues(truth.error))
          add('invalid-ground-truth', p, `not a valid ground truth: ${line}`);
    }
    for (const w of d.warnings)
      warnings.push({
        kind: w.kind,
        path: p,
        ...(w.line ? { line: w.line } : {}),
        message: `leak: ${w.message}`,
      });
  }

  for (const f of [...disk.files].sort())
    if (f !== MANIFEST_FILE && !listed.has(f)) add('extra-file', f, `not listed in ${MANIFEST_FILE}`);
  for (const [f, what] of [...disk.special].sort())
    if (!listed.has(f) && f !== MANIFEST_FILE)
      add('not-a-regular-file', f, `is a ${what}; bundles hold regular files only`);

  result.ok = problems.length === 0;
  return result;
}

/** One line for a problem: `<bundle>/<path>: message` (`<archive>!<path>: message` for packed bundles). */
export function formatProblem(result: Pick<VerifyResult, 'source' | 'packed'>, p: BundleProblem): string {
  if (p.path === '') return `${result.source}: ${p.message}`;
  // An unsafe path is named by the manifest entry that lists it: joined to the bundle's path it could
  // point anywhere (`b/../../etc/passwd` prints as `etc/passwd`), which is what made it unsafe.
  const rel = p.kind === 'unsafe-path' ? MANIFEST_FILE : p.path;
  const where = result.packed ? `${result.source}!${rel}` : `${result.source.replace(/\/+$/, '')}/${rel}`;
  return `${where}: ${p.message}`;
}

export function failedVerify(
  source: string,
  packed: boolean,
  kind: ProblemKind,
  message: string,
): VerifyResult {
  return {
    source,
    packed,
    ok: false,
    files: 0,
    manifest: null,
    rootSha256: null,
    problems: [{ kind, path: '', message }],
    warnings: [],
  };
}

async function readManifest(
  dir: string,
  add: (kind: ProblemKind, path: string, message: string) => void,
): Promise<{ raw: Record<string, unknown>; sha256: string } | undefined> {
  let bytes: Buffer;
  try {
    bytes = await readRegularFile(join(dir, MANIFEST_FILE), { maxBytes: MAX_MANIFEST_BYTES });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      add(
        'missing-manifest',
        MANIFEST_FILE,
        'missing: not a bundle (an unfinished or crashed write leaves none)',
      );
    else if (err instanceof NotRegularFileError)
      add('not-a-regular-file', MANIFEST_FILE, `is a ${err.kind}; bundles hold regular files only`);
    else if (err instanceof FileTooLargeError)
      add('invalid-manifest', MANIFEST_FILE, `larger than ${MAX_MANIFEST_BYTES} bytes; refused`);
    else add('invalid-manifest', MANIFEST_FILE, errnoMessage(err));
    return undefined;
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  let raw: unknown;
  try {
    raw = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    add('invalid-manifest', MANIFEST_FILE, `invalid JSON (${(err as Error).message.slice(0, 200)})`);
    return undefined;
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    add('invalid-manifest', MANIFEST_FILE, 'not a JSON object');
    return undefined;
  }
  return { raw: raw as Record<string, unknown>, sha256 };
}

interface DiskListing {
  files: Set<string>;
  /** Symlinks, sockets, devices: path → what it is. */
  special: Map<string, string>;
}

async function walk(root: string): Promise<DiskListing> {
  const out: DiskListing = { files: new Set(), special: new Map() };
  const visit = async (rel: string): Promise<void> => {
    for (const d of await readdir(rel ? join(root, rel) : root, { withFileTypes: true })) {
      const p = rel ? `${rel}/${d.name}` : d.name;
      if (d.isDirectory()) await visit(p);
      else if (d.isFile()) out.files.add(p);
      else out.special.set(p, d.isSymbolicLink() ? 'symbolic link' : 'special file');
    }
  };
  await visit('');
  return out;
}

/** This bundle's own leak terms (leak-rule.ts adds the ones every bundle shares): scenario id, fault types. */
async function leakTerms(dir: string, manifest: Record<string, unknown> | undefined): Promise<string[]> {
  const tokens = new Set<string>();
  if (typeof manifest?.scenarioId === 'string') tokens.add(manifest.scenarioId.toLowerCase());
  try {
    const text = await readRegularFile(join(dir, TRUTH_FILE), { maxBytes: MAX_MANIFEST_BYTES });
    const truth = JSON.parse(text.toString('utf8')) as {
      faults?: Array<{ type?: unknown }>;
    };
    for (const f of Array.isArray(truth.faults) ? truth.faults : [])
      if (typeof f?.type === 'string') tokens.add(f.type.toLowerCase());
  } catch {
    // a missing or broken truth is reported by the file checks
  }
  return [...tokens];
}

export function errnoMessage(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e.code === 'ENOENT') return 'no such file or directory';
  if (e.code === 'ENOTDIR') return 'not a directory';
  return e.message;
}
