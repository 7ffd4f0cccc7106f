import { spawn, type ChildProcess } from 'node:child_process';
import { ProcessStartError } from '../errors/process-start-error.js';
import { systemClock, type Clock } from '../util/clock.js';
import { errorText } from '../util/error-text.js';
import { LineSplitter } from './line-splitter.js';
import { signalSafely } from './proc-info.js';
import { defaultProcessRegistry, type ProcessRegistry, type TrackedProcess } from './process-registry.js';

export type OutputStream = 'stdout' | 'stderr';

/** One line a child wrote, stamped when firedrill read it. */
export interface OutputLine {
  /** Milliseconds since the epoch, from the process's Clock. */
  ts: number;
  stream: OutputStream;
  line: string;
  /** The ManagedProcess name. */
  source: string;
}

export type LineListener = (line: OutputLine) => void;

export interface ExitInfo {
  /** Exit status, or null when killed by a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ManagedProcessOptions {
  /** Label for logs, pidfiles and error messages, e.g. `prometheus` or `shop/cart-7d9f8c6b45-x2x4q/cart`. */
  name: string;
  /** Program to run; an absolute path avoids surprises from PATH. */
  command: string;
  args?: readonly string[];
  /** Added over the parent's environment (a value of undefined removes a variable). */
  env?: Record<string, string | undefined>;
  /** Start from an empty environment instead of the parent's; default false. */
  cleanEnv?: boolean;
  cwd?: string;
  /** Where the child is tracked for cleanup; default `defaultProcessRegistry()`. */
  registry?: ProcessRegistry;
  /** Receives every output line; more listeners can be added with `onLine`. */
  onLine?: LineListener;
  /** How many recent lines to keep for error messages; default 50. */
  keepLines?: number;
  clock?: Clock;
}

/**
 * A child process in its own process group, with line-by-line output and a clean stop. The group
 * matters: a signal to `-pid` reaches anything the child spawned, so stopping it leaves nothing
 * behind. When the child exits by itself any stragglers in its group are killed too.
 */
export class ManagedProcess implements TrackedProcess {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly pid: number;
  /** Resolves once the child has exited and all its output has been delivered. Never rejects. */
  readonly exited: Promise<ExitInfo>;

  private readonly child: ChildProcess;
  private readonly listeners = new Set<LineListener>();
  private readonly recent: OutputLine[] = [];
  private readonly keepLines: number;
  private readonly clock: Clock;
  private exitInfo: ExitInfo | undefined;

  private constructor(
    opts: ManagedProcessOptions,
    child: ChildProcess,
    exited: Promise<ExitInfo>,
    clock: Clock,
  ) {
    this.name = opts.name;
    this.command = opts.command;
    this.args = [...(opts.args ?? [])];
    this.child = child;
    this.pid = child.pid as number;
    this.exited = exited;
    this.keepLines = opts.keepLines ?? 50;
    this.clock = clock;
    if (opts.onLine) this.listeners.add(opts.onLine);
  }

  /** Spawns the child and resolves once it is running (the exec succeeded); rejects with ProcessStartError. */
  static async start(opts: ManagedProcessOptions): Promise<ManagedProcess> {
    const clock = opts.clock ?? systemClock;
    const registry = opts.registry ?? defaultProcessRegistry();
    const env = buildEnv(opts.env, opts.cleanEnv ?? false);
    let child: ChildProcess;
    try {
      child = spawn(opts.command, [...(opts.args ?? [])], {
        cwd: opts.cwd,
        env,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (err) {
      throw new ProcessStartError(opts.name, `${opts.command}: ${errorText(err)}`, [], { cause: err });
    }
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (err) =>
        reject(new ProcessStartError(opts.name, `${opts.command}: ${errorText(err)}`, [], { cause: err })),
      );
    });

    let resolveExited!: (info: ExitInfo) => void;
    const exited = new Promise<ExitInfo>((resolve) => (resolveExited = resolve));
    const proc = new ManagedProcess(opts, child, exited, clock);
    // After a successful spawn 'error' only reports failed kill() calls; keep it from crashing us.
    child.on('error', () => undefined);
    registry.register(proc);
    proc.wireOutput();

    child.once('exit', (code, signal) => {
      proc.exitInfo = { code, signal };
      // The leader is gone; anything it left in its group would otherwise be orphaned.
      signalSafely(-proc.pid, 'SIGKILL');
      registry.unregister(proc.pid);
      // 'close' waits for stdout/stderr to drain. A descendant that escaped the group could hold
      // the pipes open forever, so stop waiting after a moment.
      const fallback = setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
        resolveExited({ code, signal });
      }, 2000);
      fallback.unref();
      child.once('close', () => {
        clearTimeout(fallback);
        resolveExited({ code, signal });
      });
    });
    return proc;
  }

  /** Adds a listener for output lines; returns a function that removes it. */
  onLine(listener: LineListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The last lines the child wrote (both streams, in order), for error messages. */
  recentOutput(): OutputLine[] {
    return [...this.recent];
  }

  /** The recent output as text, indented, for appending to an error message. */
  recentOutputText(maxLines = 15): string {
    return this.recent
      .slice(-maxLines)
      .map((l) => `  ${l.stream}: ${l.line}`)
      .join('\n');
  }

  get running(): boolean {
    return this.exitInfo === undefined;
  }

  /** Exit status once known. */
  get exitStatus(): ExitInfo | undefined {
    return this.exitInfo;
  }

  /** Sends a signal to the child's whole process group. */
  signal(signal: NodeJS.Signals): boolean {
    if (!this.running) return false;
    return signalSafely(-this.pid, signal);
  }

  /** SIGTERM to the process group, SIGKILL after `graceMs` (default 5000) if the child has not exited. */
  async stop(graceMs = 5000): Promise<ExitInfo> {
    if (!this.running) return this.exited;
    this.signal('SIGTERM');
    const ac = new AbortController();
    const graceOver = this.clock.sleep(graceMs, ac.signal).then(
      () => true,
      () => false,
    );
    const first = await Promise.race([this.exited.then(() => false), graceOver]);
    ac.abort();
    if (first && this.running) this.signal('SIGKILL');
    return this.exited;
  }

  private wireOutput(): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      const readable = this.child[stream];
      if (!readable) continue;
      readable.setEncoding('utf8');
      const splitter = new LineSplitter((line) => this.deliver(stream, line));
      readable.on('data', (chunk: string) => splitter.push(chunk));
      readable.on('end', () => splitter.end());
      readable.on('error', () => splitter.end());
    }
  }

  private deliver(stream: OutputStream, line: string): void {
    const record: OutputLine = { ts: this.clock.now(), stream, line, source: this.name };
    this.recent.push(record);
    if (this.recent.length > this.keepLines) this.recent.shift();
    for (const listener of this.listeners) {
      try {
        listener(record);
      } catch {
        // A failing log sink must not take the child's output pipe down with it.
      }
    }
  }
}

function buildEnv(extra: Record<string, string | undefined> | undefined, clean: boolean): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = clean ? {} : { ...process.env };
  for (const [key, value] of Object.entries(extra ?? {})) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}
