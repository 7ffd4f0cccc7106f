import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { listPids, readProcStat, signalSafely } from '../process/proc-info.js';
import { defaultProcessRegistry, type ProcessRegistry } from '../process/process-registry.js';
import { errorText } from '../util/error-text.js';
import { OutputCapture, type CapturedOutput } from './output-capture.js';

export interface AgentProcessOptions {
  command: string;
  args: readonly string[];
  /** The whole environment: nothing of firedrill's own is inherited. */
  env: Record<string, string>;
  cwd: string;
  uid?: number;
  gid?: number;
  timeoutMs: number;
  /** Between SIGTERM and SIGKILL at the limit. */
  graceMs: number;
  /** The value of the attempt-id variable in `env`: processes still carrying it are the agent's. */
  marker: { name: string; value: string };
  /** Ctrl-C of the eval: the agent is stopped at once (a short grace) and the attempt marked. */
  signal?: AbortSignal;
  keepBytes: number;
  redact?: (text: string) => string;
  registry?: ProcessRegistry;
}

export interface AgentProcessResult {
  /** Null when killed by a signal or never started. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  interrupted: boolean;
  /** Why the process could not be started (the command itself failing is an exit status instead). */
  startError: string | null;
  /** From start to the agent's own process ending. */
  wallMs: number;
  stdout: CapturedOutput;
  stderr: CapturedOutput;
  /** Processes of the agent still running after its own process ended (or was killed), all killed. */
  leftovers: number;
}

/** A grace shorter than the limit's for an interrupted eval: the user is waiting. */
const INTERRUPT_GRACE_MS = 1000;
/** After the agent's process ended, how long its output pipes may stay open (a straggler holding them). */
const PIPE_CLOSE_MS = 1000;

/**
 * Runs one agent command in its own session and process group, under a wall-clock limit: at the limit
 * SIGTERM to the group (and to every process carrying the attempt's id), SIGKILL after the grace. When
 * the agent's process ends, however it ends, whatever it left behind is killed: its group, its session,
 * and any process still carrying the attempt id in its environment (a double-forked daemon that left
 * both). stdout and stderr are kept head and tail only.
 */
export async function runAgentProcess(opts: AgentProcessOptions): Promise<AgentProcessResult> {
  const out = new OutputCapture(opts.keepBytes);
  const err = new OutputCapture(opts.keepBytes);
  const started = Date.now();
  let child: ChildProcess;
  try {
    child = spawn(opts.command, [...opts.args], {
      cwd: opts.cwd,
      env: opts.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      uid: opts.uid,
      gid: opts.gid,
    });
  } catch (e) {
    return failedStart(errorText(e), out, err, opts.redact);
  }
  const spawnError = await new Promise<string | null>((resolve) => {
    child.once('spawn', () => resolve(null));
    child.once('error', (e) => resolve(errorText(e)));
  });
  if (spawnError !== null) return failedStart(spawnError, out, err, opts.redact);
  // After a successful spawn 'error' only reports failed kill() calls.
  child.on('error', () => undefined);
  const pid = child.pid as number;

  let timedOut = false;
  let interrupted = false;
  let exitInfo: { code: number | null; signal: NodeJS.Signals | null; at: number } | undefined;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exitInfo = { code, signal, at: Date.now() };
      resolve();
    }),
  );
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  child.stdout?.on('data', (c: Buffer) => out.push(c));
  child.stderr?.on('data', (c: Buffer) => err.push(c));

  const registry = opts.registry ?? defaultProcessRegistry();
  const terminate = (grace: number): Promise<void> => {
    signalTree(pid, opts.marker, 'SIGTERM');
    return new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        if (exitInfo === undefined) signalTree(pid, opts.marker, 'SIGKILL');
        resolve();
      }, grace);
      void exited.then(() => {
        clearTimeout(t);
        resolve();
      });
    });
  };
  registry.register({
    pid,
    name: 'agent',
    command: opts.command,
    args: opts.args,
    stop: (graceMs?: number) => terminate(graceMs ?? opts.graceMs),
  });

  const limit = setTimeout(() => {
    timedOut = true;
    void terminate(opts.graceMs);
  }, opts.timeoutMs);
  const onAbort = (): void => {
    if (exitInfo !== undefined) return;
    interrupted = true;
    void terminate(Math.min(INTERRUPT_GRACE_MS, opts.graceMs));
  };
  if (opts.signal?.aborted) onAbort();
  else opts.signal?.addEventListener('abort', onAbort, { once: true });

  try {
    await exited;
  } finally {
    clearTimeout(limit);
    opts.signal?.removeEventListener('abort', onAbort);
  }
  const leftovers = await killLeftovers(pid, opts.marker);
  registry.unregister(pid);
  // Killing the leftovers closes the pipes they held; a process that escaped even that (another
  // user's, a new pid namespace we cannot see into) must not hold the attempt open.
  let pipeTimer: NodeJS.Timeout | undefined;
  await Promise.race([closed, new Promise<void>((r) => (pipeTimer = setTimeout(r, PIPE_CLOSE_MS)))]);
  clearTimeout(pipeTimer);
  child.stdout?.destroy();
  child.stderr?.destroy();

  const info = exitInfo as { code: number | null; signal: NodeJS.Signals | null; at: number };
  return {
    exitCode: info.code,
    signal: info.signal,
    timedOut,
    interrupted,
    startError: null,
    wallMs: info.at - started,
    stdout: out.result(opts.redact),
    stderr: err.result(opts.redact),
    leftovers,
  };
}

function failedStart(
  why: string,
  out: OutputCapture,
  err: OutputCapture,
  redact?: (t: string) => string,
): AgentProcessResult {
  return {
    exitCode: null,
    signal: null,
    timedOut: false,
    interrupted: false,
    startError: why,
    wallMs: 0,
    stdout: out.result(redact),
    stderr: err.result(redact),
    leftovers: 0,
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The signal to the agent's group, and to any process of it that left the group. */
function signalTree(leader: number, marker: { name: string; value: string }, signal: NodeJS.Signals): void {
  signalSafely(-leader, signal);
  for (const p of agentProcesses(leader, marker)) signalSafely(p, signal);
}

/**
 * Live processes that belong to the agent: in its process group or session (it was started as the
 * leader of both), or carrying the attempt id in their environment. Empty where /proc is unavailable:
 * there only the group kill applies.
 */
export function agentProcesses(leader: number, marker: { name: string; value: string }): number[] {
  const needle = Buffer.from(`${marker.name}=${marker.value}\0`);
  const out: number[] = [];
  for (const p of listPids()) {
    if (p === process.pid) continue;
    const stat = readProcStat(p);
    if (!stat || stat.state === 'Z' || stat.state === 'X') continue;
    if (stat.pgrp === leader || stat.session === leader) {
      out.push(p);
      continue;
    }
    let environ: Buffer;
    try {
      environ = readFileSync(`/proc/${p}/environ`);
    } catch {
      continue;
    }
    if (environ.includes(needle)) out.push(p);
  }
  return out;
}

/** SIGKILL to every leftover until none is found (a forking process may add more meanwhile). */
async function killLeftovers(leader: number, marker: { name: string; value: string }): Promise<number> {
  const killed = new Set<number>();
  for (let round = 0; round < 50; round++) {
    const found = agentProcesses(leader, marker);
    if (found.length === 0) break;
    signalSafely(-leader, 'SIGKILL');
    for (const p of found) {
      signalSafely(p, 'SIGKILL');
      killed.add(p);
    }
    await sleep(20);
  }
  // Without /proc nothing was found: the group kill is all there is.
  signalSafely(-leader, 'SIGKILL');
  return killed.size;
}
