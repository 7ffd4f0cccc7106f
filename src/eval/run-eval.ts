import { rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, resolve, sep } from 'node:path';
import type { Shard } from '../corpus/plan.js';
import { FiredrillError } from '../errors/firedrill-error.js';
import { ExitCode } from '../errors/exit-codes.js';
import { InvalidInputError } from '../errors/invalid-input-error.js';
import { isPackedBundlePath } from '../grade/load-truth.js';
import { errorText } from '../util/error-text.js';
import { writeFileAtomic } from '../util/write-file-atomic.js';
import { TOOL_VERSION } from '../version.js';
import { resolveAgentAccount, type AgentAccount } from './agent-account.js';
import { loadEvalCorpus, type EvalTask } from './eval-corpus.js';
import { EvalLayout, openEvalDir } from './eval-dir.js';
import { isolationSupport, type IsolationSupport } from './isolation.js';
import type { Modality } from './modalities.js';
import { counts, type AttemptRecord, type EvalConfig } from './records.js';
import { renderReport } from './render-report.js';
import { attemptKey, runAttempt, type AttemptContext } from './run-attempt.js';
import { summarize, type EvalSummary } from './summarize.js';
import { createWorkRoot } from './workspace.js';

export interface EvalOptions {
  corpus: string;
  outDir: string;
  /** The `--agent` command line (a preset already expanded). */
  agent: string;
  repeats: number;
  timeoutMs: number;
  graceMs: number;
  parallel: number;
  omit: readonly Modality[];
  isolate: boolean;
  /** `--user`; undefined: the default for the account firedrill runs as. */
  user?: string;
  /** `--env`, resolved: name → value. */
  env: Readonly<Record<string, string>>;
  only?: readonly string[];
  shard?: Shard;
  resume?: boolean;
  force?: boolean;
  signal?: AbortSignal;
  /** Progress lines (stderr). */
  write?: (line: string) => void;
  /** Where attempts' private directories go; default the OS temporary directory. */
  workParent?: string;
  /** Tests hand in what the probe would find. */
  isolation?: IsolationSupport;
}

/** `results.json`. */
export interface ResultsDocument {
  format: 1;
  toolVersion: string;
  generatedAt: string;
  /** Every planned attempt finished (none interrupted, none left to run). */
  complete: boolean;
  /** Ctrl-C stopped the eval: the numbers cover only what finished. */
  interrupted: boolean;
  config: EvalConfig;
  planned: number;
  /** Bundles that could not be used, and why. */
  corpusErrors: string[];
  warnings: string[];
  summary: EvalSummary;
  attempts: AttemptRecord[];
}

export interface EvalRunResult {
  results: ResultsDocument;
  layout: EvalLayout;
  /** Attempts the harness could not run (not the agent's failures). */
  harnessErrors: number;
}

export interface PlannedAttempt {
  key: string;
  task: EvalTask;
  attempt: number;
}

/**
 * Every attempt, round by round (attempt 0 of every bundle, then attempt 1...), so an interrupted eval
 * has covered as many tasks as it could. Shards take every n-th attempt of that list, as `corpus run`
 * shards runs: n jobs cover each attempt exactly once.
 */
export function planAttempts(tasks: readonly EvalTask[], repeats: number, shard?: Shard): PlannedAttempt[] {
  const all: PlannedAttempt[] = [];
  for (let attempt = 0; attempt < repeats; attempt++)
    for (const task of tasks) all.push({ key: attemptKey(task.bundleId, attempt), task, attempt });
  return shard ? all.filter((_, k) => k % shard.count === shard.index - 1) : all;
}

function clock(startMs: number): string {
  const s = Math.floor((Date.now() - startMs) / 1000);
  return `[${String(Math.floor(s / 60)).padStart(3)}m${String(s % 60).padStart(2, '0')}s]`;
}

async function isDir(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}

/** What an isolated agent must not see; never a folder holding its own workspace. */
async function hiddenPaths(candidates: readonly string[], workRoot: string): Promise<string[]> {
  const out: string[] = [];
  for (const p of new Set(candidates.map((c) => resolve(c)))) {
    if (p === sep || workRoot === p || workRoot.startsWith(p + sep)) continue;
    if (await isDir(p)) out.push(p);
  }
  return out;
}

export function accountLabel(account: AgentAccount | null): string {
  return account?.name ?? 'firedrill’s own user';
}

/**
 * `firedrill eval`: every attempt of every bundle (and repeat) of a corpus, each in a fresh read-only
 * copy of the snapshot, graded as it finishes and logged at once; then results.json and report.md.
 * Ctrl-C stops the agents, keeps what finished, marks the rest and writes both files.
 */
export async function runEval(opts: EvalOptions): Promise<EvalRunResult> {
  if (!Number.isInteger(opts.repeats) || opts.repeats < 1)
    throw new InvalidInputError(`--repeats must be an integer >= 1, got ${opts.repeats}`);
  if (!Number.isInteger(opts.parallel) || opts.parallel < 1)
    throw new InvalidInputError(`--parallel must be an integer >= 1, got ${opts.parallel}`);
  if (opts.resume && opts.force)
    throw new InvalidInputError('--resume and --force contradict each other; choose one');
  if (opts.agent.trim() === '') throw new InvalidInputError('--agent: the command is empty');
  const write = opts.write ?? (() => undefined);
  const account = resolveAgentAccount(opts.user);
  let isolation: IsolationSupport | null = null;
  if (opts.isolate) {
    isolation = opts.isolation ?? (await isolationSupport());
    if (!isolation.available)
      throw new FiredrillError(
        `--isolate: ${isolation.detail}. Run without --isolate, or on a machine where unshare may create namespaces (firedrill doctor shows it)`,
        ExitCode.MissingPrerequisite,
      );
  }
  const outDir = resolve(opts.outDir);
  const corpus = await loadEvalCorpus(opts.corpus, { only: opts.only });
  let workRoot: string | undefined;
  try {
    for (const w of corpus.warnings) write(`firedrill: warning: ${w}\n`);
    for (const e of corpus.errors) write(`firedrill: ${e}\n`);
    if (corpus.tasks.length === 0)
      throw new InvalidInputError(
        `no bundle of ${opts.corpus} can be evaluated${opts.only ? ' (--only)' : ''}`,
      );
    const config: EvalConfig = {
      format: 1,
      toolVersion: TOOL_VERSION,
      createdAt: new Date().toISOString(),
      corpus: corpus.root,
      agent: opts.agent,
      repeats: opts.repeats,
      timeoutMs: opts.timeoutMs,
      graceMs: opts.graceMs,
      omit: [...opts.omit],
      isolate: opts.isolate,
      user: account?.name ?? null,
      env: Object.keys(opts.env).sort(),
      only: [...(opts.only ?? [])],
      shard: opts.shard ? `${opts.shard.index}/${opts.shard.count}` : null,
    };
    const dir = await openEvalDir(outDir, config, { resume: opts.resume, force: opts.force });
    for (const w of dir.warnings) write(`firedrill: warning: ${w}\n`);
    const plan = planAttempts(corpus.tasks, opts.repeats, opts.shard);
    const planKeys = new Set(plan.map((p) => p.key));
    const kept = dir.kept.filter((a) => planKeys.has(a.key));
    const keptKeys = new Set(kept.map((a) => a.key));
    const todo = plan.filter((p) => !keptKeys.has(p.key));

    workRoot = await createWorkRoot(opts.workParent ?? tmpdir());
    const hide = isolation
      ? await hiddenPaths(
          [
            corpus.root,
            outDir,
            ...corpus.tasks.filter((t) => isPackedBundlePath(t.source)).map((t) => dirname(t.dir)),
          ],
          workRoot,
        )
      : [];
    const ctx: AttemptContext = {
      workRoot,
      outDir,
      agent: opts.agent,
      omit: opts.omit,
      account,
      isolation,
      hide,
      env: opts.env,
      timeoutMs: opts.timeoutMs,
      graceMs: opts.graceMs,
      signal: opts.signal,
      shard: config.shard,
    };

    const started = Date.now();
    write(
      `firedrill: eval of ${new Set(corpus.tasks.map((t) => t.scenarioId)).size} task(s), ${corpus.tasks.length} bundle(s) x ${opts.repeats} repeat(s)` +
        `${opts.shard ? ` (shard ${config.shard}: ${plan.length} attempt(s))` : ''}; ${todo.length} to run` +
        `${kept.length > 0 ? `, ${kept.length} kept` : ''}; ${opts.parallel} at a time; agents run as ${accountLabel(account)}` +
        `${isolation ? ', isolated' : ''}${opts.omit.length > 0 ? `; omitted: ${opts.omit.join(', ')}` : ''}\n`,
    );
    const fresh: AttemptRecord[] = [];
    const logWarnings: string[] = [];
    let next = 0;
    let done = 0;
    const worker = async (): Promise<void> => {
      while (next < todo.length && !opts.signal?.aborted) {
        const p = todo[next++];
        const record = await runAttempt(p.task, p.attempt, ctx);
        fresh.push(record);
        try {
          await dir.log.append(record);
        } catch (err) {
          // The attempt still counts in this run's results; only --resume would not know of it.
          const w = `${dir.layout.attemptsFile}: ${record.key} not logged (${errorText(err)})`;
          logWarnings.push(w);
          write(`firedrill: warning: ${w}\n`);
        }
        done++;
        write(
          `${clock(started)} ${done}/${todo.length} ${p.task.scenarioId} ${p.task.bundleId} #${p.attempt + 1}: ` +
            `${record.outcome}${record.outcome === 'scored' ? ` AP ${record.metrics.apFullRecall.toFixed(3)}` : ` (${record.detail})`} ` +
            `in ${(record.wallMs / 1000).toFixed(1)}s\n`,
        );
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.min(opts.parallel, Math.max(1, todo.length)) }, worker));
    } finally {
      await dir.log.close();
    }

    const interrupted = opts.signal?.aborted === true;
    const attempts = [...kept, ...fresh].sort(
      (a, b) =>
        (a.scenarioId < b.scenarioId ? -1 : a.scenarioId > b.scenarioId ? 1 : 0) ||
        (a.bundleId < b.bundleId ? -1 : a.bundleId > b.bundleId ? 1 : 0) ||
        a.attempt - b.attempt,
    );
    const finishedKeys = new Set(attempts.filter((a) => counts(a.outcome)).map((a) => a.key));
    const results: ResultsDocument = {
      format: 1,
      toolVersion: TOOL_VERSION,
      generatedAt: new Date().toISOString(),
      complete: plan.every((p) => finishedKeys.has(p.key)),
      interrupted,
      config,
      planned: plan.length,
      corpusErrors: corpus.errors,
      warnings: [...corpus.warnings, ...dir.warnings, ...logWarnings],
      summary: summarize(attempts, opts.repeats),
      attempts,
    };
    writeResults(dir.layout, results);
    return {
      results,
      layout: dir.layout,
      harnessErrors: attempts.filter((a) => a.outcome === 'harness-error').length,
    };
  } finally {
    if (workRoot) await rm(workRoot, { recursive: true, force: true }).catch(() => undefined);
    await corpus.close();
  }
}

export function writeResults(layout: EvalLayout, results: ResultsDocument): void {
  writeFileAtomic(layout.resultsFile, `${JSON.stringify(results, null, 2)}\n`);
  writeFileAtomic(layout.reportFile, renderReport(results));
}
