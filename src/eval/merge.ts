import { cp, mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { InvalidInputError } from '../errors/invalid-input-error.js';
import { TOOL_VERSION } from '../version.js';
import { configDifferences, EvalLayout, readAttempts, readEvalConfig } from './eval-dir.js';
import { counts, type AttemptRecord, type EvalConfig } from './records.js';
import { writeResults, type ResultsDocument } from './run-eval.js';
import { summarize } from './summarize.js';
import { writeFileAtomic } from '../util/write-file-atomic.js';

export interface MergeEvalsResult {
  results: ResultsDocument;
  layout: EvalLayout;
  warnings: string[];
}

/**
 * Joins the eval directories of several shards (`eval --shard i/n`) into one: every finished attempt
 * once, their answers, and results.json and report.md over all of them. The shards must have been run
 * the same way (agent, limit, omissions, isolation, account); an attempt found twice is kept once.
 */
export async function mergeEvals(dirs: readonly string[], outDir: string): Promise<MergeEvalsResult> {
  if (dirs.length === 0) throw new InvalidInputError('eval merge: name at least one eval directory');
  const out = new EvalLayout(resolve(outDir));
  const warnings: string[] = [];
  let base: EvalConfig | undefined;
  const byKey = new Map<string, AttemptRecord>();
  for (const d of dirs) {
    const layout = new EvalLayout(resolve(d));
    if (layout.root === out.root)
      throw new InvalidInputError(`eval merge: ${d} is the output directory itself`);
    const config = await readEvalConfig(layout.configFile);
    if (base === undefined) base = config;
    else {
      const diff = configDifferences(base, config);
      if (diff.length > 0)
        throw new InvalidInputError(
          `eval merge: ${d} was run differently from ${dirs[0]}: ${diff.join('; ')}`,
        );
      if (config.corpus !== base.corpus) warnings.push(`${d}: corpus ${config.corpus}, not ${base.corpus}`);
    }
    for (const a of await readAttempts(layout.attemptsFile, warnings)) {
      if (!counts(a.outcome)) continue;
      const first = byKey.get(a.key);
      if (first === undefined) byKey.set(a.key, a);
      else if (first.outcome !== a.outcome || first.metrics.apFullRecall !== a.metrics.apFullRecall)
        warnings.push(`${a.key} is in more than one directory with different results; the first is kept`);
    }
    await cp(layout.answersDir, out.answersDir, { recursive: true, force: false, errorOnExist: false }).catch(
      (err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err;
      },
    );
  }
  const config = base as EvalConfig;
  const attempts = [...byKey.values()].sort(
    (a, b) =>
      (a.scenarioId < b.scenarioId ? -1 : a.scenarioId > b.scenarioId ? 1 : 0) ||
      (a.bundleId < b.bundleId ? -1 : a.bundleId > b.bundleId ? 1 : 0) ||
      a.attempt - b.attempt,
  );
  const merged: EvalConfig = { ...config, shard: null, createdAt: new Date().toISOString() };
  await mkdir(out.root, { recursive: true });
  writeFileAtomic(out.configFile, `${JSON.stringify(merged, null, 2)}\n`);
  writeFileAtomic(out.attemptsFile, attempts.map((a) => `${JSON.stringify(a)}\n`).join(''));
  const bundles = new Set(attempts.map((a) => a.bundleId));
  const planned = bundles.size * config.repeats;
  const results: ResultsDocument = {
    format: 1,
    toolVersion: TOOL_VERSION,
    generatedAt: new Date().toISOString(),
    complete: attempts.length >= planned,
    interrupted: false,
    config: merged,
    planned,
    corpusErrors: [],
    warnings,
    summary: summarize(attempts, config.repeats),
    attempts,
  };
  writeResults(out, results);
  return { results, layout: out, warnings };
}
