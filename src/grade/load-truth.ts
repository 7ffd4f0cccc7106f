import { readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { GroundTruthSchema, type GroundTruth } from '../bundle/ground-truth.js';
import { MANIFEST_FILE, TRUTH_FILE } from '../bundle/layout.js';
import { InvalidInputError, UnreadableInputError } from '../errors/index.js';
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
  warnings: string[];
}

export interface LoadTruthOptions {
  openPacked?: PackedBundleOpener;
}

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
 * but does not parse is a failed input (exit 1).
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
  if (isDir) return loadBundleDir(path);
  if (isPackedBundlePath(path)) return loadPacked(path, opts.openPacked ?? openPackedBundle);
  return { truth: await readTruthFile(path), warnings: [] };
}

async function loadBundleDir(dir: string): Promise<LoadedTruth> {
  const truthPath = join(dir, TRUTH_FILE);
  let truth: GroundTruth;
  try {
    truth = await readTruthFile(truthPath);
  } catch (err) {
    if (err instanceof InvalidInputError)
      throw new InvalidInputError(`${dir} is not a bundle: ${TRUTH_FILE} is missing`);
    throw err;
  }
  const warnings: string[] = [];
  const manifestPath = join(dir, MANIFEST_FILE);
  let manifest: unknown;
  try {
    manifest = JSON.parse(await readFile(manifestPath, 'utf8'));
  } catch (err) {
    const why =
      (err as NodeJS.ErrnoException).code === 'ENOENT'
        ? 'is missing'
        : `is unreadable (${(err as Error).message})`;
    warnings.push(`${manifestPath} ${why}; bundle identity taken from the directory name and the truth`);
  }
  const bundle = identityFrom(manifest, basename(dir), truth, manifestPath, warnings);
  return { truth, bundle, warnings };
}

async function loadPacked(path: string, open: PackedBundleOpener): Promise<LoadedTruth> {
  const opened = await open(path);
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
    return { truth, bundle, warnings };
  } finally {
    await opened.close();
  }
}

async function readTruthFile(path: string): Promise<GroundTruth> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      throw new InvalidInputError(`${path} does not exist`);
    throw new UnreadableInputError(path, (err as Error).message, { cause: err });
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new UnreadableInputError(path, `not valid JSON (${(err as Error).message})`, { cause: err });
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
