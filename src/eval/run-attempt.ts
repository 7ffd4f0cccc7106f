import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { emptyAnswer, parseAnswer } from '../grade/answer.js';
import { scoreAnswer, type Score } from '../grade/score.js';
import { errorText } from '../util/error-text.js';
import type { AgentAccount } from './agent-account.js';
import { readAgentAnswer, type AgentAnswer } from './agent-answer.js';
import { runAgentProcess, type AgentProcessResult } from './agent-process.js';
import { AGENT_ENV, expandAgentCommand, OUTPUT_KEEP_BYTES } from './contract.js';
import type { EvalTask } from './eval-corpus.js';
import { isolatedCommand, type IsolationSupport } from './isolation.js';
import type { Modality } from './modalities.js';
import { ZERO_METRICS, type AttemptRecord, type Outcome } from './records.js';
import { prepareWorkspace, removeWorkspace, snapshotChanges, type Workspace } from './workspace.js';

/** Everything an attempt needs besides its task; the same for every attempt of an eval. */
export interface AttemptContext {
  /** Parent of the attempts' private directories (createWorkRoot). */
  workRoot: string;
  /** The eval directory: answers are kept under `answers/`. */
  outDir: string;
  /** The `--agent` command line, placeholders not yet replaced. */
  agent: string;
  omit: readonly Modality[];
  account: AgentAccount | null;
  /** Set: run isolated (`--isolate`). */
  isolation: IsolationSupport | null;
  /** Hidden from an isolated agent: the corpus, the eval directory, unpacked bundles. */
  hide: readonly string[];
  /** `--env`: added to the agent's environment. */
  env: Readonly<Record<string, string>>;
  timeoutMs: number;
  graceMs: number;
  signal?: AbortSignal;
  shard: string | null;
}

/** Variables of firedrill's own environment an agent gets too; nothing else is inherited. */
const INHERITED = ['PATH', 'LANG', 'LC_ALL', 'TZ'];
/** When firedrill's own environment lacks them. */
const FALLBACKS: Record<string, string> = {
  PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  LANG: 'C.UTF-8',
};
/** How many answer entries a record keeps; the full answer is in its file. */
const KEEP_ENTRIES = 20;

/** The agent's environment, from scratch: the contract's variables, a few inherited ones, `--env`. */
export function agentEnvironment(
  ws: Workspace,
  ctx: Pick<AttemptContext, 'account' | 'env' | 'timeoutMs'>,
  attemptId: string,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of INHERITED) {
    const v = process.env[name];
    if (v !== undefined) env[name] = v;
  }
  for (const [name, value] of Object.entries(FALLBACKS)) env[name] ??= value;
  const user = ctx.account?.name ?? userInfo().username;
  Object.assign(env, {
    HOME: ws.homeDir,
    TMPDIR: ws.tmpDir,
    USER: user,
    LOGNAME: user,
    [AGENT_ENV.snapshot]: ws.snapshotDir,
    [AGENT_ENV.answer]: ws.answerPath,
    [AGENT_ENV.timeoutMs]: String(ctx.timeoutMs),
  });
  Object.assign(env, ctx.env);
  // Last, so `--env` cannot take away what the harness finds leftovers by.
  env[AGENT_ENV.attemptId] = attemptId;
  return env;
}

/** Replaces every value handed in with --env (API keys) wherever it shows up in what is kept. */
export function redactor(env: Readonly<Record<string, string>>): (text: string) => string {
  const secrets = Object.entries(env).filter(([, v]) => v.length >= 8);
  if (secrets.length === 0) return (t) => t;
  return (text) => {
    let out = text;
    for (const [name, value] of secrets) out = out.split(value).join(`[${name} redacted]`);
    return out;
  };
}

/** One run of the agent on one bundle: a fresh workspace, the agent under its limit, the grade. */
export async function runAttempt(
  task: EvalTask,
  attempt: number,
  ctx: AttemptContext,
): Promise<AttemptRecord> {
  const started = Date.now();
  const startedAt = new Date(started).toISOString();
  const base = {
    key: attemptKey(task.bundleId, attempt),
    bundleId: task.bundleId,
    scenarioId: task.scenarioId,
    bundleRepeat: task.bundleRepeat,
    attempt,
    difficulty: task.difficulty,
    tags: task.tags,
    startedAt,
    shard: ctx.shard,
  };
  const redact = redactor(ctx.env);
  let ws: Workspace | undefined;
  try {
    ws = await prepareWorkspace(ctx.workRoot, task, ctx.omit, ctx.account);
    const attemptId = randomBytes(16).toString('hex');
    const env = agentEnvironment(ws, ctx, attemptId);
    const expanded = expandAgentCommand(ctx.agent, {
      snapshot: ws.snapshotDir,
      answer: ws.answerPath,
      answerDir: ws.answerDir,
    });
    const isolated = ctx.isolation
      ? isolatedCommand(ctx.isolation, {
          agentCommand: expanded,
          snapshotDir: ws.snapshotDir,
          hide: ctx.hide,
          account: ctx.account,
        })
      : null;
    // Isolated as root, unshare needs root; the script inside drops to the account.
    const dropAtSpawn = !isolated || ctx.isolation?.mode !== 'root';
    const proc = await runAgentProcess({
      command: isolated?.command ?? '/bin/sh',
      args: isolated?.args ?? ['-c', expanded],
      env,
      cwd: ws.workDir,
      uid: dropAtSpawn ? ctx.account?.uid : undefined,
      gid: dropAtSpawn ? ctx.account?.gid : undefined,
      timeoutMs: ctx.timeoutMs,
      graceMs: ctx.graceMs,
      marker: { name: AGENT_ENV.attemptId, value: attemptId },
      signal: ctx.signal,
      keepBytes: OUTPUT_KEEP_BYTES,
      redact,
    });
    const changed = await snapshotChanges(ws);
    const answer = proc.startError === null ? await readAgentAnswer(ws.answerPath) : null;
    const judged = judge(task, proc, answer);
    const file =
      answer !== null && answer.kind !== 'missing' && answer.text !== null
        ? await keepAnswer(ctx.outDir, task.bundleId, attempt, redact(answer.text))
        : null;
    const warnings = [...judged.warnings];
    if (changed.length > 0)
      warnings.push(
        `the agent changed its snapshot copy (${changed.slice(0, 5).join(', ')}${changed.length > 5 ? ', ...' : ''})`,
      );
    if (proc.leftovers > 0)
      warnings.push(`${proc.leftovers} process(es) of the agent outlived it and were killed`);
    await removeWorkspace(ws);
    ws = undefined;
    const entries = answer?.kind === 'ok' ? parseAnswer(answer.doc).entries : null;
    return {
      ...base,
      outcome: judged.outcome,
      detail: redact(judged.detail),
      exitCode: proc.exitCode,
      signal: proc.signal,
      wallMs: proc.wallMs,
      overheadMs: Date.now() - started - proc.wallMs,
      metrics: judged.score ? metricsOf(judged.score) : { ...ZERO_METRICS, acAt: { ...ZERO_METRICS.acAt } },
      matched: judged.score?.matched ?? [],
      unmatched: judged.score?.unmatched ?? judged.unmatched,
      answer:
        answer !== null && answer.kind !== 'missing'
          ? {
              entities: (entries ?? []).slice(0, KEEP_ENTRIES).map((e) => (e === null ? null : redact(e))),
              count: entries?.length ?? 0,
              bytes: answer.kind === 'ok' ? answer.bytes : (answer.text?.length ?? 0),
              file,
            }
          : null,
      warnings: warnings.map(redact),
      stdout: proc.stdout,
      stderr: proc.stderr,
      leftovers: proc.leftovers,
      snapshotChanged: changed,
    };
  } catch (err) {
    if (ws) await removeWorkspace(ws).catch(() => undefined);
    const empty = { bytes: 0, head: '', tail: '', omitted: 0 };
    return {
      ...base,
      outcome: ctx.signal?.aborted ? 'interrupted' : 'harness-error',
      detail: redact(errorText(err)),
      exitCode: null,
      signal: null,
      wallMs: 0,
      overheadMs: Date.now() - started,
      metrics: { ...ZERO_METRICS, acAt: { ...ZERO_METRICS.acAt } },
      matched: [],
      unmatched: scoreAnswer(task.truth, emptyAnswer('')).unmatched,
      answer: null,
      warnings: [],
      stdout: empty,
      stderr: empty,
      leftovers: 0,
      snapshotChanged: [],
    };
  }
}

export function attemptKey(bundleId: string, attempt: number): string {
  return `${bundleId}/${attempt}`;
}

interface Judgement {
  outcome: Outcome;
  detail: string;
  /** Only for `scored`. */
  score: Score | null;
  unmatched: string[];
  warnings: string[];
}

function exitText(p: AgentProcessResult): string {
  return p.signal !== null ? `killed by ${p.signal}` : `exit status ${p.exitCode}`;
}

/**
 * The outcome, in order: the harness's own interruption; the limit (whatever the agent left, a run
 * that did not finish in time failed); an exit that was not 0; then the answer. Only a clean exit with
 * a well-formed answer is graded, by the grader's own functions.
 */
export function judge(task: EvalTask, proc: AgentProcessResult, answer: AgentAnswer | null): Judgement {
  const unmatched = scoreAnswer(task.truth, emptyAnswer('')).unmatched;
  const fail = (outcome: Outcome, detail: string): Judgement => ({
    outcome,
    detail,
    score: null,
    unmatched,
    warnings: [],
  });
  if (proc.startError !== null)
    return fail('harness-error', `the agent could not be started: ${proc.startError}`);
  if (proc.interrupted) return fail('interrupted', `stopped by the interrupted eval after ${proc.wallMs} ms`);
  if (proc.timedOut) return fail('timed-out', `still running at the limit; ${exitText(proc)}`);
  if (proc.exitCode !== 0) return fail('crashed', exitText(proc));
  if (answer === null || answer.kind === 'missing') return fail('no-answer', answer?.why ?? 'no answer');
  if (answer.kind === 'malformed') return fail('malformed-answer', answer.why);
  const score = scoreAnswer(task.truth, parseAnswer(answer.doc));
  return {
    outcome: 'scored',
    detail: `apFullRecall ${score.apFullRecall.toFixed(3)}`,
    score,
    unmatched: score.unmatched,
    warnings: score.warnings,
  };
}

function metricsOf(s: Score): AttemptRecord['metrics'] {
  return {
    apFullRecall: s.apFullRecall,
    precisionAtFullRecall: s.precisionAtFullRecall,
    precision: s.precision,
    recall: s.recall,
    f1: s.f1,
    acAt: { ...s.acAt },
  };
}

/** The answer as the agent wrote it, for whoever reads the report; returns its path in the eval dir. */
async function keepAnswer(outDir: string, bundleId: string, attempt: number, text: string): Promise<string> {
  const rel = join('answers', bundleId, `${attempt}.json`);
  await mkdir(join(outDir, 'answers', bundleId), { recursive: true });
  await writeFile(join(outDir, rel), text);
  return rel;
}
