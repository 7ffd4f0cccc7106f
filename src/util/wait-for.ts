import { TimeoutError } from '../errors/timeout-error.js';
import { systemClock, type Clock } from './clock.js';

export interface WaitForOptions {
  timeoutMs: number;
  /** Pause between checks; default 250 ms. */
  intervalMs?: number;
  signal?: AbortSignal;
  clock?: Clock;
  /**
   * What is still missing, for the TimeoutError message (e.g. the alerts not yet firing). Called
   * once, when the wait times out. The last error a check threw is reported when this is absent.
   */
  pending?: () => readonly string[] | Promise<readonly string[]>;
}

/**
 * Polls `check` until it returns something other than `false`/`undefined`/`null` and returns that
 * value (`true` for boolean checks). A check that throws counts as "not yet"; its last error is
 * kept for the timeout message. Throws TimeoutError(what, timeoutMs, pending) when time runs out,
 * or the signal's reason when aborted.
 */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | false | null | undefined> | T | false | null | undefined,
  opts: WaitForOptions,
): Promise<T> {
  const clock = opts.clock ?? systemClock;
  const interval = opts.intervalMs ?? 250;
  const deadline = clock.now() + opts.timeoutMs;
  let lastError: unknown;
  for (;;) {
    opts.signal?.throwIfAborted();
    try {
      const value = await check();
      if (value !== false && value !== null && value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    const left = deadline - clock.now();
    if (left <= 0) break;
    await clock.sleep(Math.min(interval, left), opts.signal);
  }
  let pending: readonly string[] = [];
  if (opts.pending) {
    pending = await opts.pending();
  } else if (lastError !== undefined) {
    pending = [`last check failed: ${lastError instanceof Error ? lastError.message : String(lastError)}`];
  }
  throw new TimeoutError(what, opts.timeoutMs, pending);
}
