import { randomBytes } from 'node:crypto';
import { copyFile, cp, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Manifest } from '../bundle/manifest.js';
import { formatProblem, verifyBundle } from '../bundle/verify.js';
import { CorpusError } from '../errors/corpus-error.js';
import { CorpusLayout } from './corpus-layout.js';
import { commandsOf, type CommandRun, type CorpusIndex, type IndexRow } from './corpus-index.js';
import { finalizeCorpus, type RunRecord } from './finalize-corpus.js';
import type { MovementOptions } from './metric-movement.js';
import { readCorpusIndex } from './read-index.js';
import { DEFAULT_STABILITY_THRESHOLD } from '../compare/stability.js';
import type { ReferenceAgent } from './difficulty.js';

export interface MergeOptions {
  /** Output directories of `corpus run` (one per shard). */
  shardDirs: readonly string[];
  outDir: string;
  /** Move bundles instead of copying them (the shard directories are left without them). */
  move?: boolean;
  stabilityThreshold?: number;
  movement?: MovementOptions;
  write?: (line: string) => void;
  /** Measures every task's difficulty with this agent (the CLI passes the reference agent). */
  referenceAgent?: ReferenceAgent;
}

export interface MergeResult {
  index: CorpusIndex;
  /** Bundles copied or moved into the output. */
  added: number;
  /** Bundles found more than once with identical content (kept once). */
  duplicates: number;
}

interface Candidate {
  bundleId: string;
  dir: string;
  log: string;
  manifest: Manifest;
  row: IndexRow | null;
  /** Already in the output directory: nothing to copy. */
  inOut: boolean;
}

/** Two bundles are the same when they hold the same run with byte-identical files; checks may differ. */
function identity(m: Manifest): string {
  const { scenarioId, scenarioHash, seed, repeat, substrate, times, files } = m;
  return JSON.stringify({ scenarioId, scenarioHash, seed, repeat, substrate, times, files });
}

async function isDir(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

async function bundleIdsIn(layout: CorpusLayout): Promise<string[]> {
  let names: string[] = [];
  try {
    names = await readdir(layout.bundlesDir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const out: string[] = [];
  for (const n of names.sort())
    if (!n.startsWith('.') && (await isDir(join(layout.bundlesDir, n)))) out.push(n);
  return out;
}

/**
 * `firedrill corpus merge`: joins the outputs of several `corpus run` shards (and whatever the output
 * directory already holds) into one corpus. Every bundle must verify and a bundle id found twice must
 * hold the same run with identical files, else nothing is copied and the error lists every problem.
 * Then the corpus checks are recomputed over the union (stability now sees every repeat), the bundles
 * packed and the index and report written, as after a `corpus run`.
 */
export async function mergeCorpora(o: MergeOptions): Promise<MergeResult> {
  const out = new CorpusLayout(resolve(o.outDir));
  if (o.shardDirs.length === 0) throw new CorpusError('corpus merge: no shard directories given');
  const write = o.write ?? ((s: string) => process.stderr.write(s));
  const problems: string[] = [];
  const chosen = new Map<string, Candidate>();
  const failedRows = new Map<string, IndexRow>();
  // Union by command id, not concatenation: a shard merged twice into the same output counts once, and two
  // shards that happened to take the same time count twice.
  const commands = new Map<string, CommandRun>();
  let duplicates = 0;

  const sources: Array<{ layout: CorpusLayout; inOut: boolean }> = [{ layout: out, inOut: true }];
  for (const d of o.shardDirs) {
    const layout = new CorpusLayout(resolve(d));
    if (layout.root === out.root) continue;
    if (!(await isDir(layout.root))) {
      problems.push(`${d}: no such directory`);
      continue;
    }
    sources.push({ layout, inOut: false });
  }

  for (const { layout, inOut } of sources) {
    let index: CorpusIndex | null = null;
    try {
      index = await readCorpusIndex(layout.indexFile);
    } catch (err) {
      problems.push((err as Error).message);
    }
    for (const c of index ? commandsOf(index) : []) commands.set(c.id, c);
    const rows = new Map((index?.rows ?? []).map((r) => [r.bundleId, r]));
    for (const r of rows.values()) if (r.status === 'failed') failedRows.set(r.bundleId, r);
    const ids = await bundleIdsIn(layout);
    if (!inOut && ids.length === 0 && rows.size === 0)
      problems.push(`${layout.root}: no bundles and no corpus/index.json (not a corpus run output?)`);
    for (const id of ids) {
      const dir = layout.bundleDir(id);
      const v = await verifyBundle(dir, { leakCheck: false });
      if (!v.ok || !v.manifest) {
        problems.push(...v.problems.map((p) => formatProblem(v, p)));
        continue;
      }
      // a shard's index pins its bundles: one edited consistently with its own manifest still differs here
      const pinned = rows.get(id)?.bundle?.rootSha256;
      if (pinned !== undefined && pinned !== v.rootSha256) {
        problems.push(
          `${dir}/manifest.json: sha256 ${v.rootSha256} differs from the root digest ${pinned} in ${layout.indexFile} (changed after it was indexed)`,
        );
        continue;
      }
      const c: Candidate = {
        bundleId: id,
        dir,
        log: layout.logFile(id),
        manifest: v.manifest,
        row: rows.get(id) ?? null,
        inOut,
      };
      const other = chosen.get(id);
      if (!other) {
        chosen.set(id, c);
        continue;
      }
      if (identity(other.manifest) !== identity(c.manifest)) {
        problems.push(
          `${id}: ${other.dir} and ${dir} are different bundles under one id (refusing to pick one; remove the wrong one)`,
        );
        continue;
      }
      duplicates++;
      if (!other.row && c.row) other.row = c.row;
    }
    for (const r of rows.values())
      if (r.status === 'complete' && !ids.includes(r.bundleId))
        problems.push(
          `${layout.indexFile}: lists ${r.bundleId} but ${layout.bundleDir(r.bundleId)} is missing`,
        );
  }
  // One corpus, one secret: resume and reproduce derive every bundle id from it.
  const secrets = new Map<string, string>();
  for (const { layout } of sources) {
    const s = await readFile(layout.secretFile, 'utf8').then(
      (t) => t.trim(),
      () => undefined,
    );
    if (s !== undefined) secrets.set(layout.root, s);
  }
  if (new Set(secrets.values()).size > 1)
    problems.push(
      `the corpora were made with different corpus secrets (${[...secrets.keys()].join(', ')}); give every shard the same FIREDRILL_CORPUS_SECRET`,
    );
  if (problems.length > 0)
    throw new CorpusError(['corpus merge: nothing merged:', ...problems.map((p) => `  ${p}`)]);

  await mkdir(out.bundlesDir, { recursive: true });
  const secret = [...secrets.values()][0];
  if (secret !== undefined && !secrets.has(out.root)) {
    await mkdir(out.corpusDir, { recursive: true });
    await writeFile(out.secretFile, `${secret}\n`, { mode: 0o600 });
  }
  let added = 0;
  for (const c of chosen.values()) {
    if (c.inOut) continue;
    const target = out.bundleDir(c.bundleId);
    const tmp = join(out.bundlesDir, `.${c.bundleId}.tmp-merge-${randomBytes(4).toString('hex')}`);
    try {
      if (o.move) await rename(c.dir, tmp).catch(async () => cp(c.dir, tmp, { recursive: true }));
      else await cp(c.dir, tmp, { recursive: true });
      await rename(tmp, target);
    } catch (err) {
      await rm(tmp, { recursive: true, force: true });
      throw err;
    }
    if (o.move) await rm(c.dir, { recursive: true, force: true });
    await copyFile(c.log, out.logFile(c.bundleId)).then(
      async () => {
        if (o.move) await rm(c.log, { force: true });
      },
      () => undefined,
    );
    added++;
    write(`merged ${c.bundleId} (${c.manifest.scenarioId} repeat ${c.manifest.repeat}) from ${c.dir}\n`);
  }

  const records: RunRecord[] = [...chosen.values()].map((c) => ({
    bundleId: c.bundleId,
    scenarioId: c.manifest.scenarioId,
    repeat: c.manifest.repeat,
    seed: c.manifest.seed,
    substrate: c.manifest.substrate,
    status: 'complete',
    timings: c.row?.timings ?? undefined,
    firedAlerts: c.row?.firedAlerts,
    shard: c.row?.shard ?? null,
  }));
  for (const r of failedRows.values())
    if (!chosen.has(r.bundleId))
      records.push({
        bundleId: r.bundleId,
        scenarioId: r.scenarioId,
        repeat: r.repeat,
        seed: r.seed,
        substrate: r.substrate,
        status: 'failed',
        error: r.error,
        shard: r.shard,
      });
  const index = await finalizeCorpus({
    layout: out,
    records,
    stabilityThreshold: o.stabilityThreshold ?? DEFAULT_STABILITY_THRESHOLD,
    commands: [...commands.values()],
    movement: o.movement,
    referenceAgent: o.referenceAgent,
  });
  return { index, added, duplicates };
}
