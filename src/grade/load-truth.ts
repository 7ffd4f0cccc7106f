import { lstat, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { openBundle } from '../bundle/bundle-reader.js';
import { GroundTruthSchema, type GroundTruth } from '../bundle/ground-truth.js';
import { MANIFEST_FILE, MAX_MANIFEST_BYTES, TRUTH_FILE } from '../bundle/layout.js';
import { InvalidInputError, UnreadableInputError } from '../errors/index.js';
import { excerpt } from '../util/escape-text.js';
import { FileTooLargeError, NotRegularFileError, readRegularFile } from '../util/safe-fs.js';
import { openPackedBundle, type PackedBundleOpener } from './packed-bundle.js';

/** Which run of which task a bundle holds: the manifest fields grading groups by. */
export interface BundleIdentity {
  bundleId: string;
  scenarioId: string;
  repeat: number;
}

export interface LoadedTruth {
  truth: GroundTruth;
  /** Absent when the source was a bare ground_truth.json. */
  bundle?: BundleIdentity;
  /** The bundle's root digest (SHA-256 of its manifest.json), when it was verified. */
  rootSha256?: string;
  warnings: string[];
}

export interface LoadTruthOptions {
  openPacked?: PackedBundleOpener;
  /**
   * Check the ground truth against the bundle's manifest before trusting it (default true): the truth
   * decides the score, and verify was the only command that noticed an edited one. False is `--no-verify`,
   * for authors editing a bundle by hand: the manifest is then only read for the bundle's identity.
   */
  verify?: boolean;
  /** The root digest the bundle must have (from a corpus index). */
  rootSha256?: string;
}

/** A ground truth is a few kilobytes; aliases and propagation paths of a large app stay far below this. */
export const MAX_TRUTH_BYTES = 64 * 1024 ** 2;

const PACKED_SUFFIX = /\.(tar\.gz|tgz|tar)$/i;

export function isPackedBundlePath(path: string): boolean {
  return PACKED_SUFFIX.test(path);
}

/** `runs/cart-r0.tar.gz` → `cart-r0`. */
export function packedStem(path: string): string {
  return basename(path).replace(PACKED_SUFFIX, '');
}

/**
 * Ground truth from a bundle directory, a packed bundle (`.tar.gz`, through the bundle module's reader)
 * or a bare `ground_truth.json`. A path that is not there is bad usage (exit 2); a file that is there
 * but does not parse, or does not match its bundle's manifest, is a failed input (exit 1).
 */
export async function loadTruth(path: string, opts: LoadTruthOptions = {}): Promise<LoadedTruth> {
  let isDir: boolean;
  try {
    isDir = (await stat(path)).isDirectory();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      throw new InvalidInputError(
        `${path} does not exist; expected a bundle directory, a packed bundle (.tar.gz) or a ground_truth.json`,
      );
    throw new UnreadableInputError(path, (err as Error).message, { cause: err });
  }
  const verify = opts.verify !== false;
  if (isDir) return verify ? loadVerifiedDir(path, opts.rootSha256) : loadBundleDir(path);
  if (isPackedBundlePath(path))
    return loadPacked(path, opts.openPacked ?? openPackedBundle, verify, opts.rootSha256);
  return { truth: await readTruthFile(path, true), warnings: [] };
}

async function loadVerifiedDir(dir: string, rootSha256: string | undefined): Promise<LoadedTruth> {
  const has = async (rel: string): Promise<boolean> =>
    lstat(join(dir, rel)).then(
      () => true,
      () => false,
    );
  if (!(await has(MANIFEST_FILE))) {
    if (!(await has(TRUTH_FILE)))
      throw new InvalidInputError(`${dir} is not a bundle: ${TRUTH_FILE} is missing`);
    throw new UnreadableInputError(
      dir,
      `no ${MANIFEST_FILE} (an unfinished bundle?), so ${TRUTH_FILE} cannot be verified; --no-verify grades it anyway`,
    );
  }
  const b = await openBundle(dir, { rootSha256 });
  try {
    const truth = await b.groundTruth();
    const warnings: string[] = [];
    const bundle = identityFrom(b.manifest, basename(dir), truth, join(dir, MANIFEST_FILE), warnings);
    return { truth, bundle, warnings, rootSha256: b.rootSha256 };
  } finally {
    await b.close();
  }
}

/** --no-verify: the truth as it is on disk, the manifest only for identity (missing fields tolerated). */
async function loadBundleDir(dir: string): Promise<LoadedTruth> {
  const truthPath = join(dir, TRUTH_FILE);
  const truthDir = await lstat(join(dir, 'truth')).catch(() => null);
  if (truthDir && !truthDir.isDirectory())
    throw new UnreadableInputError(join(dir, 'truth'), 'not a directory (a link?); refused');
  let truth: GroundTruth;
  try {
    truth = await readTruthFile(truthPath, false);
  } catch (err) {
    if (err instanceof InvalidInputError)
      throw new InvalidInputError(`${dir} is not a bundle: ${TRUTH_FILE} is missing`);
    throw err;
  }
  const warnings: string[] = [];
  const manifestPath = join(dir, MANIFEST_FILE);
  let manifest: unknown;
  try {
    manifest = JSON.parse(
      (await readRegularFile(manifestPath, { maxBytes: MAX_MANIFEST_BYTES })).toString('utf8'),
    );
  } catch (err) {
    const why =
      (err as NodeJS.ErrnoException).code === 'ENOENT'
        ? 'is missing'
        : `is unreadable (${excerpt((err as Error).message)})`;
    warnings.push(`${manifestPath} ${why}; bundle identity taken from the directory name and the truth`);
  }
  const bundle = identityFrom(manifest, basename(dir), truth, manifestPath, warnings);
  return { truth, bundle, warnings };
}

async function loadPacked(
  path: string,
  open: PackedBundleOpener,
  verify: boolean,
  rootSha256: string | undefined,
): Promise<LoadedTruth> {
  const opened = await open(path, { checkReads: verify, rootSha256 });
  try {
    const raw = await opened.groundTruth();
    // Re-validate: the reader may hand back what it read without applying our defaults.
    const truth = parseTruth(raw, `${path}!${TRUTH_FILE}`);
    const warnings: string[] = [];
    const bundle = identityFrom(
      opened.manifest,
      packedStem(path),
      truth,
      `${path}!${MANIFEST_FILE}`,
      warnings,
    );
    return { truth, bundle, warnings, ...(opened.rootSha256 ? { rootSha256: opened.rootSha256 } : {}) };
  } finally {
    await opened.close();
  }
}

async function readTruthFile(path: string, followLinks: boolean): Promise<GroundTruth> {
  let text: string;
  try {
    text = (await readRegularFile(path, { maxBytes: MAX_TRUTH_BYTES, followLinks })).toString('utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      throw new InvalidInputError(`${path} does not exist`);
    if (err instanceof NotRegularFileError)
      throw new UnreadableInputError(path, `is a ${err.kind}, not a regular file; refused`, { cause: err });
    if (err instanceof FileTooLargeError)
      throw new UnreadableInputError(path, `larger than ${MAX_TRUTH_BYTES} bytes; refused`, { cause: err });
    throw new UnreadableInputError(path, (err as Error).message, { cause: err });
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new UnreadableInputError(path, `not valid JSON (${excerpt((err as Error).message)})`, {
      cause: err,
    });
  }
  return parseTruth(doc, path);
}

function parseTruth(doc: unknown, path: string): GroundTruth {
  const r = GroundTruthSchema.safeParse(doc);
  if (!r.success) {
    const problems = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new UnreadableInputError(path, `not a valid ground truth: ${problems}`);
  }
  return r.data;
}

const IdentitySchema = z.object({
  bundleId: z.string().min(1).optional().catch(undefined),
  scenarioId: z.string().min(1).optional().catch(undefined),
  repeat: z.number().int().nonnegative().optional().catch(undefined),
});

/** Only three manifest fields matter here, so a manifest from a newer format still grades. */
function identityFrom(
  manifest: unknown,
  fallbackId: string,
  truth: GroundTruth,
  where: string,
  warnings: string[],
): BundleIdentity {
  if (manifest === undefined) return { bundleId: fallbackId, scenarioId: truth.scenarioId, repeat: 0 };
  const m = IdentitySchema.catch({}).parse(manifest);
  if (m.bundleId === undefined) warnings.push(`${where}: no bundleId; using "${fallbackId}"`);
  if (m.scenarioId === undefined)
    warnings.push(`${where}: no scenarioId; using the truth's "${truth.scenarioId}"`);
  else if (m.scenarioId !== truth.scenarioId)
    warnings.push(
      `${where}: scenarioId "${m.scenarioId}" differs from the truth's "${truth.scenarioId}"; using the manifest's`,
    );
  if (m.repeat === undefined) warnings.push(`${where}: no repeat; using 0`);
  return {
    bundleId: m.bundleId ?? fallbackId,
    scenarioId: m.scenarioId ?? truth.scenarioId,
    repeat: m.repeat ?? 0,
  };
}
