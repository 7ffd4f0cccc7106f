import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

const MAX_LINES = 50_000;

/**
 * Process groups started by this module, killed with SIGKILL if the parent exits without stopping them, or
 * is stopped by a signal (Ctrl-C, a CI runner's SIGTERM): a signal's default action skips 'exit' handlers,
 * and the groups, detached, would get no signal of their own.
 */
const live = new Set<number>();
let exitHookInstalled = false;
/** Set once the parent is going: a child a still-running start-up spawns after that is killed at once. */
let going = false;

function killLive(): void {
  going = true;
  for (const pgid of live) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', killLive);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      killLive();
      // With this listener gone the signal's default action is back: raised again, it ends the process.
      process.kill(process.pid, signal);
    });
  }
}

export interface SpawnSpec {
  name: string;
  command: string;
  args: readonly string[];
  env: NodeJS.ProcessEnv;
  cwd?: string;
}

/**
 * A child in its own process group (so a signal reaches anything it forks) with stdout/stderr kept as lines.
 * `stop()` sends SIGTERM to the group, waits, then SIGKILLs it: no orphans survive a test or a bench.
 */
export class ChildProcessGroup {
  readonly name: string;
  readonly stdout: string[] = [];
  readonly stderr: string[] = [];
  readonly exited: Promise<number | null>;
  exitCode: number | null | undefined = undefined;
  signal: NodeJS.Signals | null = null;
  private readonly child: ChildProcess;
  private readonly waiters: Array<{ test: (line: string) => boolean; resolve: (line: string) => void }> = [];

  constructor(spec: SpawnSpec) {
    installExitHook();
    this.name = spec.name;
    this.child = spawn(spec.command, [...spec.args], {
      env: spec.env,
      cwd: spec.cwd,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const pid = this.child.pid;
    if (pid !== undefined) live.add(pid);
    // A signal's listener does not stop code already under way (a test's set-up awaiting its next server).
    if (going) killLive();
    this.exited = new Promise((resolve) => {
      this.child.once('error', () => {
        this.exitCode = null;
        resolve(null);
      });
      this.child.once('exit', (code, signal) => {
        if (pid !== undefined) live.delete(pid);
        this.exitCode = code;
        this.signal = signal;
        resolve(code);
      });
    });
    this.collect(this.child.stdout, this.stdout);
    this.collect(this.child.stderr, this.stderr);
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get running(): boolean {
    return this.exitCode === undefined;
  }

  /** Resolves with the first stdout/stderr line (already seen or future) that passes `test`. */
  waitForLine(test: (line: string) => boolean, timeoutMs: number): Promise<string> {
    const seen = [...this.stdout, ...this.stderr].find(test);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${this.name}: no matching log line within ${timeoutMs}ms`)),
        timeoutMs,
      );
      this.waiters.push({
        test,
        resolve: (line) => {
          clearTimeout(timer);
          resolve(line);
        },
      });
    });
  }

  signalGroup(signal: NodeJS.Signals): void {
    if (!this.running || this.child.pid === undefined) return;
    try {
      process.kill(-this.child.pid, signal);
    } catch {
      // exited between the check and the kill
    }
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code (null when killed by a signal). */
  async stop(graceMs = 3000): Promise<number | null> {
    if (!this.running) return this.exitCode ?? null;
    this.signalGroup('SIGTERM');
    const timer = setTimeout(() => this.signalGroup('SIGKILL'), graceMs);
    const code = await this.exited;
    clearTimeout(timer);
    // Anything the child forked into its group goes too.
    try {
      process.kill(-this.pid, 'SIGKILL');
    } catch {
      // group empty
    }
    return code;
  }

  private collect(stream: NodeJS.ReadableStream | null, into: string[]): void {
    if (!stream) return;
    const rl = createInterface({ input: stream, crlfDelay: Infinity });
    rl.on('line', (line) => {
      into.push(line);
      if (into.length > MAX_LINES) into.splice(0, into.length - MAX_LINES);
      for (let i = this.waiters.length - 1; i >= 0; i--) {
        if (this.waiters[i].test(line)) {
          this.waiters[i].resolve(line);
          this.waiters.splice(i, 1);
        }
      }
    });
  }
}
