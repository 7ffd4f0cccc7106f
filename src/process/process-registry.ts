import { describeChild, removePidFile, writePidFile } from './pid-files.js';
import { signalSafely } from './proc-info.js';

/** What the registry needs to know about a child; ManagedProcess implements it. */
export interface TrackedProcess {
  readonly pid: number;
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  /** SIGTERM to the child's process group, SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<unknown>;
}

export interface ProcessRegistryOptions {
  /** Directory for one pidfile per live child, read by `killStale` after a crash (e.g. `<runDir>/pids`). */
  pidDir?: string;
  /**
   * Stop this registry's children when SIGINT/SIGTERM arrives (default true). A caller that must keep
   * children alive while it recovers (e.g. to undo a fault through them) passes false and calls
   * `stopAll()` itself; the synchronous kill on process exit still applies as a backstop.
   */
  killOnSignal?: boolean;
  /** Grace before SIGKILL when stopping on a signal; default 2000 ms. */
  signalGraceMs?: number;
}

const SIGNAL_EXIT_CODES: Record<'SIGINT' | 'SIGTERM' | 'SIGHUP', number> = {
  SIGINT: 130,
  SIGTERM: 143,
  SIGHUP: 129,
};

/** Registries holding at least one child; the process-wide handlers walk this set. */
const live = new Set<ProcessRegistry>();
let handlersInstalled = false;
let signalsSeen = 0;

/**
 * Tracks every child process started through it so none outlives firedrill: on process exit every
 * child's process group gets SIGKILL synchronously (the only thing an 'exit' handler can do), and on
 * SIGINT/SIGTERM/SIGHUP children are stopped gracefully first. A second signal kills at once. When
 * firedrill itself is SIGKILLed nothing can run; the pidfiles let `killStale` finish the job later.
 */
export class ProcessRegistry {
  readonly pidDir: string | undefined;
  readonly killOnSignal: boolean;
  readonly signalGraceMs: number;
  private readonly children = new Map<number, TrackedProcess>();

  constructor(opts: ProcessRegistryOptions = {}) {
    this.pidDir = opts.pidDir;
    this.killOnSignal = opts.killOnSignal ?? true;
    this.signalGraceMs = opts.signalGraceMs ?? 2000;
    installProcessHandlers();
  }

  register(child: TrackedProcess): void {
    this.children.set(child.pid, child);
    live.add(this);
    if (this.pidDir) writePidFile(this.pidDir, describeChild(child));
  }

  unregister(pid: number): void {
    if (!this.children.delete(pid)) return;
    if (this.pidDir) removePidFile(this.pidDir, pid);
    if (this.children.size === 0) live.delete(this);
  }

  list(): TrackedProcess[] {
    return [...this.children.values()];
  }

  get size(): number {
    return this.children.size;
  }

  /** Stops every child in parallel (SIGTERM to each group, SIGKILL after `graceMs`). */
  async stopAll(graceMs = 5000): Promise<void> {
    await Promise.allSettled(this.list().map((c) => c.stop(graceMs)));
  }

  /** SIGKILL (or `signal`) to every child's process group, synchronously; safe inside an 'exit' handler. */
  killAllSync(signal: NodeJS.Signals = 'SIGKILL'): void {
    for (const pid of this.children.keys()) {
      // Children are group leaders (spawned detached), so -pid reaches their own children too.
      if (!signalSafely(-pid, signal)) signalSafely(pid, signal);
    }
  }
}

let defaultRegistry: ProcessRegistry | undefined;

/** The registry used when a ManagedProcess is given none: no pidfiles, children die with firedrill. */
export function defaultProcessRegistry(): ProcessRegistry {
  defaultRegistry ??= new ProcessRegistry();
  return defaultRegistry;
}

function installProcessHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', () => {
    for (const registry of live) registry.killAllSync('SIGKILL');
  });
  for (const signal of Object.keys(SIGNAL_EXIT_CODES) as Array<keyof typeof SIGNAL_EXIT_CODES>) {
    process.on(signal, () => onSignal(signal));
  }
}

function onSignal(signal: keyof typeof SIGNAL_EXIT_CODES): void {
  signalsSeen++;
  const code = SIGNAL_EXIT_CODES[signal];
  // Our listener suppresses Node's default "die on signal"; restore it when nobody else handles it.
  const othersListen = process.listenerCount(signal) > 1;
  if (signalsSeen > 1) {
    for (const registry of live) registry.killAllSync('SIGKILL');
    process.exit(code);
  }
  const stopping = [...live].filter((r) => r.killOnSignal).map((r) => r.stopAll(r.signalGraceMs));
  void Promise.allSettled(stopping).then(() => {
    if (!othersListen) process.exit(code);
  });
}
