import { InterruptedError } from '../errors/interrupted-error.js';
import { systemClock, type Clock } from '../util/clock.js';
import type { RunPhase, RunRequest } from './run-request.js';

/**
 * What every phase of one run shares: the request, a clock, and the phase bookkeeping. Sleeps go
 * through the clock so tests drive a run with a manual one; an abort always surfaces as an
 * InterruptedError, whichever wait it interrupted.
 */
export class RunContext {
  readonly clock: Clock;
  readonly timings: Partial<Record<RunPhase, number>> = {};
  private mark: number;

  constructor(readonly req: RunRequest) {
    this.clock = req.clock ?? systemClock;
    this.mark = this.clock.now();
  }

  get signal(): AbortSignal {
    return this.req.signal;
  }

  now(): number {
    return this.clock.now();
  }

  /** Records the time since the previous phase ended as this phase's duration. */
  phaseDone(name: RunPhase): void {
    const now = this.clock.now();
    this.timings[name] = now - this.mark;
    this.mark = now;
  }

  checkAbort(): void {
    if (!this.signal.aborted) return;
    throw this.signal.reason instanceof InterruptedError ? this.signal.reason : new InterruptedError('abort');
  }

  async sleep(ms: number): Promise<void> {
    try {
      await this.clock.sleep(ms, this.signal);
    } catch {
      this.checkAbort();
    }
  }
}
