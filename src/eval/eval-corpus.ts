import { readdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { openBundle, type BundleHandle } from '../bundle/bundle-reader.js';
import { formatProblem, verifyBundle } from '../bundle/verify.js';
import type { GroundTruth } from '../bundle/ground-truth.js';
import { MANIFEST_FILE, SNAPSHOT_DIR, TruthFile } from '../bundle/layout.js';
import { FiredrillError } from '../errors/firedrill-error.js';
import { InvalidInputError } from '../errors/invalid-input-error.js';
import { isPackedBundlePath, loadTruth, packedStem } from '../grade/load-truth.js';

/** One bundle an agent is run on, with what the harness (never the agent) knows about it. */
export interface EvalTask {
  bundleId: string;
  /** The task a bundle belongs to: repeats of one scenario are one task. */
  scenarioId: string;
  /** The corpus repeat the bundle is (not the agent's repeat). */
  bundleRepeat: number;
  /** As found: a bundle directory or a packed bundle. */
  source: string;
  /** The directory the snapshot is copied from (a private unpacked copy for a packed bundle). */
  dir: string;
  /** Data files under snapshot/, from the manifest. */
  snapshotFiles: string[];
  truth: GroundTruth;
  /** From the corpus index (or the bundle's truth/scenario.yaml) when it has one. */
  difficulty: string | null;
  tags: string[];
}

export interface EvalCorpus {
  root: string;
  tasks: EvalTask[];
  /** Bundles that cannot be used (damaged, unfinished, unreadable truth), one line each. */
  errors: string[];
  warnings: string[];
  /** Removes the unpacked copies of packed bundles. */
  close(): Promise<void>;
}

export interface LoadEvalCorpusOptions {
  /** Only these scenario ids. */
  only?: readonly string[];
  /** Bundles verified (every file against the manifest) at once; default 2. */
  concurrency?: number;
}

/** The few index fields eval reads; anything else in a row is ignored, so newer indexes still load. */
const IndexExtrasSchema = z.object({
  rows: z.array(
    z.object({
      bundleId: z.string(),
      difficulty: z.union([z.string(), z.number()]).nullable().optional().catch(undefined),
      tags: z.array(z.string()).optional().catch(undefined),
    }),
  ),
});

type Extras = { difficulty: string | null; tags: string[] | null };

/**
 * The bundles of a corpus directory (`<dir>/bundles`, else `<dir>/packed`, else `<dir>` itself, or a
 * single bundle), each verified and with its ground truth loaded through the grader's own loader.
 */
export async function loadEvalCorpus(dir: string, opts: LoadEvalCorpusOptions = {}): Promise<EvalCorpus> {
  const root = resolve(dir);
  if (!(await isDir(root))) throw new InvalidInputError(`--corpus ${dir}: not a directory`);
  const sources = await findBundleSources(root);
  if (sources.length === 0)
    throw new InvalidInputError(
      `no bundles in ${dir}: expected <dir>/bundles/<id>/ (a corpus), bundle directories or packed bundles`,
    );
  const extras = await readIndexExtras(root);
  const warnings: string[] = [];
  const errors: string[] = [];
  const handles: BundleHandle[] = [];
  const tasks: Array<EvalTask | null> = new Array<EvalTask | null>(sources.length).fill(null);

  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < sources.length) {
      const i = next++;
      const source = sources[i];
      let handle: BundleHandle | undefined;
      try {
        handle = await openBundle(source);
        handles.push(handle);
        const m = handle.manifest;
        if (opts.only && opts.only.length > 0 && !opts.only.includes(m.scenarioId)) continue;
        // Verified once here, so what is copied for every attempt is what the manifest lists.
        const v = await verifyBundle(handle.dir, { leakCheck: false });
        if (!v.ok) {
          errors.push(
            `${source}: not evaluated: the bundle does not verify: ${v.problems
              .slice(0, 3)
              .map((p) => formatProblem({ source, packed: isPackedBundlePath(source) }, p))
              .join('; ')}`,
          );
          continue;
        }
        const loaded = await loadTruth(handle.dir);
        const fromIndex = extras.get(m.bundleId);
        const fromScenario = handle.has(TruthFile.scenario) ? await scenarioExtras(handle) : null;
        tasks[i] = {
          bundleId: m.bundleId,
          scenarioId: m.scenarioId,
          bundleRepeat: m.repeat,
          source,
          dir: handle.dir,
          snapshotFiles: m.files.map((f) => f.path).filter((p) => p.startsWith(`${SNAPSHOT_DIR}/`)),
          truth: loaded.truth,
          difficulty: fromIndex?.difficulty ?? fromScenario?.difficulty ?? null,
          tags: fromIndex?.tags ?? fromScenario?.tags ?? [],
        };
      } catch (err) {
        if (!(err instanceof FiredrillError)) throw err;
        errors.push(`${source}: not evaluated: ${err.message}`);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, opts.concurrency ?? 2) }, worker));
  } catch (err) {
    await Promise.allSettled(handles.map((h) => h.close()));
    throw err;
  }

  const found = tasks.filter((t): t is EvalTask => t !== null);
  const seen = new Map<string, string>();
  const unique: EvalTask[] = [];
  for (const t of found) {
    const first = seen.get(t.bundleId);
    if (first !== undefined) {
      warnings.push(`${t.source} holds bundle ${t.bundleId} again (first: ${first}); evaluated once`);
      continue;
    }
    seen.set(t.bundleId, t.source);
    unique.push(t);
  }
  if (opts.only && opts.only.length > 0) {
    const missing = opts.only.filter((id) => !unique.some((t) => t.scenarioId === id));
    if (missing.length > 0) warnings.push(`--only: no bundle of ${missing.join(', ')} in ${dir}`);
  }
  unique.sort(
    (a, b) =>
      cmp(a.scenarioId, b.scenarioId) || a.bundleRepeat - b.bundleRepeat || cmp(a.bundleId, b.bundleId),
  );
  return {
    root,
    tasks: unique,
    errors,
    warnings,
    close: async () => {
      await Promise.allSettled(handles.map((h) => h.close()));
    },
  };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

async function isDir(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Bundle directories and packed bundles directly in the corpus's bundle folder, sorted. */
async function findBundleSources(root: string): Promise<string[]> {
  if (await exists(join(root, MANIFEST_FILE))) return [root];
  let dir = root;
  if (await isDir(join(root, 'bundles'))) dir = join(root, 'bundles');
  else if (await isDir(join(root, 'packed'))) dir = join(root, 'packed');
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => cmp(a.name, b.name));
  const dirs = new Set<string>();
  const out: string[] = [];
  for (const e of entries) {
    // Dot-entries are staging directories of the writer, never finished bundles.
    if (e.name.startsWith('.') || !e.isDirectory()) continue;
    if (await exists(join(dir, e.name, MANIFEST_FILE))) {
      dirs.add(e.name);
      out.push(join(dir, e.name));
    }
  }
  for (const e of entries) {
    if (e.name.startsWith('.') || !e.isFile() || !isPackedBundlePath(e.name)) continue;
    // `bundle pack` writes <dir>.tar.gz beside <dir>: the same bundle.
    if (dirs.has(packedStem(e.name))) continue;
    out.push(join(dir, e.name));
  }
  return out;
}

/** `difficulty` and `tags` per bundle id from `<root>/corpus/index.json`, when the index has them. */
async function readIndexExtras(root: string): Promise<Map<string, Extras>> {
  const out = new Map<string, Extras>();
  let text: string;
  try {
    text = await readFile(join(root, 'corpus', 'index.json'), 'utf8');
  } catch {
    return out;
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return out;
  }
  const r = IndexExtrasSchema.safeParse(doc);
  if (!r.success) return out;
  for (const row of r.data.rows) {
    const difficulty =
      row.difficulty === undefined || row.difficulty === null ? null : String(row.difficulty);
    out.set(row.bundleId, { difficulty, tags: row.tags ?? null });
  }
  return out;
}

/** The scenario's own `metadata.tags` / `metadata.difficulty`, for bundles an index does not describe. */
async function scenarioExtras(handle: BundleHandle): Promise<Extras | null> {
  try {
    const doc = parseYaml(await handle.readText(TruthFile.scenario)) as {
      metadata?: { tags?: unknown; difficulty?: unknown };
    } | null;
    const tags = doc?.metadata?.tags;
    const difficulty = doc?.metadata?.difficulty;
    return {
      tags: Array.isArray(tags) ? tags.filter((t): t is string => typeof t === 'string') : null,
      difficulty:
        typeof difficulty === 'string' || typeof difficulty === 'number' ? String(difficulty) : null,
    };
  } catch {
    // Optional metadata: a scenario file that does not parse only loses its breakdowns.
    return null;
  }
}
