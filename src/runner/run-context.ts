import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { InterruptedError } from '../errors/interrupted-error.js';
import { systemClock, type Clock } from '../util/clock.js';
import { substrateRegistration } from '../substrates/registry.js';
import type { Capability } from '../platform/capabilities.js';
import { planRun, type RunPlan } from './run-plan.js';
import type { RunPhase, RunRequest } from './run-request.js';

/**
 * What every phase of one run shares: the request, a clock, and the phase bookkeeping. Sleeps go
 * through the clock so tests drive a run with a manual one; an abort always surfaces as an
 * InterruptedError, whichever wait it interrupted.
 */
export class RunContext {
  readonly clock: Clock;
  readonly plan: RunPlan;
  readonly timings: Partial<Record<RunPhase, number>> = {};
  private mark: number;
  /**
   * This process's event-loop delay: on the local substrate every Service proxy, the trace receiver
   * and the kubelet share it, so a stall here is latency in every call between pods. Logged per phase.
   */
  private readonly loopDelay: IntervalHistogram = monitorEventLoopDelay({ resolution: 20 });

  constructor(readonly req: RunRequest) {
    this.clock = req.clock ?? systemClock;
    this.mark = this.clock.now();
    this.loopDelay.enable();
    this.plan =
      req.plan ??
      planRun({
        secret: req.secret,
        scenario: req.scenario,
        seed: req.seed,
        repeat: req.repeat,
        provides: providedBy(req.substrate.name),
      });
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
    const ms = (ns: number) => Math.round(ns / 1e6);
    this.req.logger.info(
      {
        phase: name,
        ms: this.timings[name],
        loopDelayP99Ms: ms(this.loopDelay.percentile(99)),
        loopDelayMaxMs: ms(this.loopDelay.max),
        heapUsedMb: Math.round(process.memoryUsage().heapUsed / 2 ** 20),
      },
      'phase done',
    );
    this.loopDelay.reset();
  }

  /** Stops measuring the event loop (the run is over). */
  close(): void {
    this.loopDelay.disable();
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

/** What the named substrate provides; nothing for a name no registration knows (test doubles). */
function providedBy(name: string): readonly Capability[] {
  try {
    return substrateRegistration(name).provides;
  } catch {
    return [];
  }
}
