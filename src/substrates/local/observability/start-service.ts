import { ProcessStartError } from '../../../errors/process-start-error.js';
import { TimeoutError } from '../../../errors/timeout-error.js';
import { ManagedProcess, type LineListener } from '../../../process/managed-process.js';
import type { ProcessRegistry } from '../../../process/process-registry.js';
import type { Clock } from '../../../util/clock.js';
import { freePort } from '../../../util/free-port.js';
import { waitFor } from '../../../util/wait-for.js';

export interface StartServiceOptions {
  name: string;
  command: string;
  /** Builds the arguments for a given port (the port is chosen here). */
  args: (port: number) => string[];
  /** Called before each attempt, e.g. to write a config file that names the port. */
  prepare?: (port: number) => void | Promise<void>;
  /** Resolves true once the service answers on `port`. Exceptions count as "not yet". */
  ready: (port: number, signal: AbortSignal) => Promise<boolean>;
  host?: string;
  /** Use this port instead of a free one (no retry on a clash). */
  port?: number;
  readyTimeoutMs?: number;
  env?: Record<string, string | undefined>;
  cwd?: string;
  registry?: ProcessRegistry;
  onLine?: LineListener;
  clock?: Clock;
  /** Tries with a fresh port when the chosen one was taken in the meantime; default 3. */
  attempts?: number;
}

/**
 * Starts a server process on a free loopback port and waits until it is ready. Fails fast with the
 * process's last output if it exits while starting; retries on a new port if it lost the race for
 * its port; stops it and throws TimeoutError if it never becomes ready.
 */
export async function startService(
  opts: StartServiceOptions,
): Promise<{ process: ManagedProcess; port: number }> {
  const host = opts.host ?? '127.0.0.1';
  const attempts = opts.port !== undefined ? 1 : (opts.attempts ?? 3);
  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const port = opts.port ?? (await freePort(host));
    await opts.prepare?.(port);
    try {
      const process = await startOnce(opts, port);
      return { process, port };
    } catch (err) {
      lastError = err;
      if (!(err instanceof ProcessStartError && err.addressInUse)) throw err;
    }
  }
  throw lastError;
}

async function startOnce(opts: StartServiceOptions, port: number): Promise<ManagedProcess> {
  const proc = await ManagedProcess.start({
    name: opts.name,
    command: opts.command,
    args: opts.args(port),
    env: opts.env,
    cwd: opts.cwd,
    registry: opts.registry,
    onLine: opts.onLine,
    clock: opts.clock,
  });
  const ac = new AbortController();
  const exitedEarly = proc.exited.then((exit) => {
    const how = exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.code}`;
    throw new ProcessStartError(opts.name, `exited while starting (${how})`, lines(proc));
  });
  const timeoutMs = opts.readyTimeoutMs ?? 30_000;
  try {
    await Promise.race([
      waitFor(
        `${opts.name} ready on port ${port}`,
        async () => {
          const signal = AbortSignal.any([ac.signal, AbortSignal.timeout(2000)]);
          return opts.ready(port, signal);
        },
        { timeoutMs, intervalMs: 100, signal: ac.signal, clock: opts.clock },
      ),
      exitedEarly,
    ]);
    return proc;
  } catch (err) {
    await proc.stop(2000);
    if (err instanceof TimeoutError) {
      throw new ProcessStartError(opts.name, `not ready after ${timeoutMs} ms`, lines(proc), { cause: err });
    }
    throw err;
  } finally {
    ac.abort();
    // The race's loser must not surface as an unhandled rejection later.
    exitedEarly.catch(() => undefined);
  }
}

function lines(proc: ManagedProcess): string[] {
  return proc
    .recentOutput()
    .slice(-15)
    .map((l) => l.line);
}

/** Readiness by HTTP GET answering 2xx (Prometheus and Alertmanager `/-/ready`). */
export async function httpOk(url: string, signal: AbortSignal): Promise<boolean> {
  const res = await fetch(url, { signal });
  await res.body?.cancel();
  return res.ok;
}
