import { lstat, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { BUNDLE_ID_PATTERN, MANIFEST_FILE, TRUTH_FILE } from '../bundle/layout.js';
import { FiredrillError, InvalidInputError } from '../errors/index.js';
import { meanMetrics } from './aggregate.js';
import { compileTruth } from './compile-truth.js';
import { emptyAnswer } from './answer.js';
import { findCorpusIndex, readCorpusPins, type CorpusPins } from './corpus-pins.js';
import { isPackedBundlePath, loadTruth, packedStem } from './load-truth.js';
import type { PackedBundleOpener } from './packed-bundle.js';
import { readAnswerFile } from './read-answer.js';
import { scoreCompiled, type Metrics, type Score } from './score.js';

/** One bundle graded against its answer. */
export interface CorpusRun {
  bundleId: string;
  scenarioId: string;
  repeat: number;
  bundlePath: string;
  /** The answer file used, or null when none was found (the run scores 0). */
  answerPath: string | null;
  score: Score;
}

/** A task is a scenario; its metrics are the mean over its runs (repeats). */
export interface TaskScore extends Metrics {
  scenarioId: string;
  runs: CorpusRun[];
}

/** Corpus metrics are the mean over tasks, so a scenario with more repeats does not weigh more. */
export interface CorpusScore extends Metrics {
  tasks: TaskScore[];
  /** Answer and manifest problems, each prefixed with the bundle it concerns. */
  warnings: string[];
  /** Bundles that could not be graded at all (unreadable truth); they are left out of every mean. */
  errors: string[];
}

export interface GradeCorpusOptions {
  openPacked?: PackedBundleOpener;
  /** Check each bundle's truth against its manifest, and its manifest against the index (default true). */
  verify?: boolean;
  /**
   * The corpus index pinning every bundle's root digest. Default: `<corpus>/corpus/index.json` or
   * `<corpus>/../corpus/index.json` when there is one; null: none.
   */
  indexFile?: string | null;
}

/** How deep bundles may sit below the corpus root (corpus/<scenario>/<repeat>/ is depth 2). */
const MAX_DEPTH = 4;

/**
 * Grade every bundle under `corpusDir` against `answersDir`. A bundle's answer is
 * `<answers>/<bundleId>/<repeat>.json` when present, else `<answers>/<bundleId>.json`; a missing,
 * empty or malformed answer scores 0 with a warning.
 */
export async function gradeCorpus(
  corpusDir: string,
  answersDir: string,
  opts: GradeCorpusOptions = {},
): Promise<CorpusScore> {
  await requireDir(corpusDir, '--corpus');
  await requireDir(answersDir, '--answers');
  const incomplete: string[] = [];
  const found = await findBundles(corpusDir, 0, incomplete);
  if (found.length === 0 && incomplete.length === 0)
    throw new InvalidInputError(
      `no bundles under ${corpusDir}: expected bundle directories (${MANIFEST_FILE} + ${TRUTH_FILE}) or packed <bundleId>.tar.gz files`,
    );

  const warnings: string[] = [];
  const errors: string[] = incomplete.map(
    (p) => `${p}: not graded: no ${MANIFEST_FILE} (an unfinished bundle)`,
  );
  const verify = opts.verify !== false;
  const indexFile = opts.indexFile === undefined ? await findCorpusIndex(corpusDir) : opts.indexFile;
  const pins: CorpusPins | null = verify && indexFile ? await readCorpusPins(indexFile) : null;
  if (pins && pins.pins.size === 0)
    warnings.push(
      `${pins.file} pins no root digests (written before firedrill recorded them); each bundle is checked against its own manifest only`,
    );
  const pinned = pins && pins.pins.size > 0 ? pins : null;
  const graded = new Set<string>();
  const runs: CorpusRun[] = [];
  const seen = new Map<string, string>();
  const usedAnswers = new Set<string>();

  for (const bundlePath of found) {
    let loaded;
    try {
      loaded = await loadTruth(bundlePath, { openPacked: opts.openPacked, verify });
    } catch (err) {
      if (!(err instanceof FiredrillError)) throw err;
      errors.push(`${bundlePath}: not graded: ${err.message}`);
      continue;
    }
    const id = loaded.bundle ?? { bundleId: bundlePath, scenarioId: loaded.truth.scenarioId, repeat: 0 };
    if (pinned) {
      const why = pinProblem(pinned, id.bundleId, loaded.rootSha256);
      if (why) {
        errors.push(`${bundlePath}: not graded: ${why}`);
        continue;
      }
      graded.add(id.bundleId);
    }
    const tag = `${id.bundleId} (repeat ${id.repeat})`;
    for (const w of loaded.warnings) warnings.push(`${tag}: ${w}`);
    const key = `${id.bundleId}\u0000${id.repeat}`;
    const first = seen.get(key);
    if (first !== undefined) {
      warnings.push(`${tag}: ${bundlePath} duplicates ${first}; graded once`);
      continue;
    }
    seen.set(key, bundlePath);

    const answerPath = await findAnswer(answersDir, id.bundleId, id.repeat);
    if (answerPath !== null) usedAnswers.add(answerPath);
    const answer =
      answerPath !== null
        ? await readAnswerFile(answerPath, { root: answersDir })
        : BUNDLE_ID_PATTERN.test(id.bundleId)
          ? emptyAnswer(
              `no answer: neither ${join(answersDir, id.bundleId, `${id.repeat}.json`)} nor ${join(answersDir, `${id.bundleId}.json`)} exists; scored 0`,
            )
          : emptyAnswer(`bundleId "${id.bundleId}" cannot name an answer file; scored 0`);
    const score = scoreCompiled(compileTruth(loaded.truth), answer);
    for (const w of score.warnings) warnings.push(`${tag}: ${w}`);
    runs.push({ ...id, bundlePath, answerPath, score });
  }

  if (pinned)
    for (const id of pinned.pins.keys())
      if (!graded.has(id)) warnings.push(`${id}: listed in ${pinned.file} but not found under ${corpusDir}`);

  for (const file of await listAnswerFiles(answersDir)) {
    if (!usedAnswers.has(file)) warnings.push(`${file}: matches no bundle in ${corpusDir}; not graded`);
  }

  const byTask = new Map<string, CorpusRun[]>();
  for (const r of runs) {
    const list = byTask.get(r.scenarioId);
    if (list === undefined) byTask.set(r.scenarioId, [r]);
    else list.push(r);
  }
  const tasks: TaskScore[] = [...byTask.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([scenarioId, list]) => {
      list.sort((a, b) => a.repeat - b.repeat || (a.bundleId < b.bundleId ? -1 : 1));
      return { scenarioId, ...meanMetrics(list.map((r) => r.score)), runs: list };
    });
  return { ...meanMetrics(tasks), tasks, warnings, errors };
}

function pinProblem(pins: CorpusPins, bundleId: string, rootSha256: string | undefined): string | null {
  const pin = pins.pins.get(bundleId);
  if (pin === undefined) return `bundle ${bundleId} is not in the corpus index ${pins.file}`;
  if (rootSha256 === undefined)
    return `its root digest is unknown, so it cannot be checked against ${pins.file}`;
  if (rootSha256 !== pin)
    return `${MANIFEST_FILE} sha256 ${rootSha256} differs from the root digest ${pin} in ${pins.file} (the bundle was changed after it was indexed)`;
  return null;
}

async function requireDir(path: string, flag: string): Promise<void> {
  let ok = false;
  try {
    ok = (await stat(path)).isDirectory();
  } catch {
    ok = false;
  }
  if (!ok) throw new InvalidInputError(`${flag} ${path}: not a directory`);
}

/**
 * Bundle paths under `dir`, sorted: directories with a manifest (the writer writes it last, so a
 * directory without one is unfinished) and packed bundles. Unfinished ones go to `incomplete`.
 */
async function findBundles(dir: string, depth: number, incomplete: string[]): Promise<string[]> {
  if (await exists(join(dir, MANIFEST_FILE))) return [dir];
  if (await exists(join(dir, TRUTH_FILE))) {
    incomplete.push(dir);
    return [];
  }
  if (depth > MAX_DEPTH) return [];
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const out: string[] = [];
  const unpacked = new Set<string>();
  for (const e of entries) {
    // Dot-entries are staging directories and editor litter, never finished bundles.
    if (e.name.startsWith('.') || !e.isDirectory()) continue;
    const inside = await findBundles(join(dir, e.name), depth + 1, incomplete);
    if (inside.length > 0) unpacked.add(e.name);
    out.push(...inside);
  }
  for (const e of entries) {
    if (e.name.startsWith('.') || !e.isFile() || !isPackedBundlePath(e.name)) continue;
    // `bundle pack` writes <dir>.tar.gz beside <dir>: the same bundle, already found unpacked.
    if (unpacked.has(packedStem(e.name))) continue;
    out.push(join(dir, e.name));
  }
  return out.sort();
}

async function findAnswer(answersDir: string, bundleId: string, repeat: number): Promise<string | null> {
  if (!BUNDLE_ID_PATTERN.test(bundleId)) return null;
  for (const candidate of [
    join(answersDir, bundleId, `${repeat}.json`),
    join(answersDir, `${bundleId}.json`),
  ]) {
    // lstat: a link is still the agent's answer, which the reader then refuses with a warning
    if (
      await lstat(candidate).then(
        () => true,
        () => false,
      )
    )
      return candidate;
  }
  return null;
}

/** Every `*.json` at the top of the answers directory or one level down. */
async function listAnswerFiles(answersDir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(answersDir, { withFileTypes: true })) {
    const p = join(answersDir, e.name);
    if (e.isFile() && e.name.endsWith('.json')) out.push(p);
    else if (e.isDirectory()) {
      for (const f of await readdir(p, { withFileTypes: true })) {
        if (f.isFile() && f.name.endsWith('.json')) out.push(join(p, f.name));
      }
    }
  }
  return out.sort();
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
