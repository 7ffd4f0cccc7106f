import type { GroundTruth } from '../bundle/ground-truth.js';
import type { FaultRegistry } from '../faults/fault-registry.js';
import type { FaultTargetProvider, Undo } from '../faults/fault-type.js';
import type { Logger } from '../logging/logger.js';
import type { ScenarioFault } from '../scenario/scenario.js';

interface Applied {
  fault: ScenarioFault;
  undo?: Undo;
  injectedAt: number;
  expiresAt?: number;
  recoveredAt?: number;
}

/**
 * The faults of one run and how to take each back. Every fault's undo is registered the moment
 * `inject` returns (and a failed inject is recovered at once), and `recoverAll` runs them newest
 * first, once each, so recovery is safe to call from every exit path.
 */
export class FaultSession {
  private readonly applied: Applied[] = [];

  constructor(
    private readonly registry: FaultRegistry,
    /** The substrate's name and the fault target every change of the run goes through. */
    private readonly provider: FaultTargetProvider,
    private readonly logger: Logger,
    private readonly signal: AbortSignal,
  ) {}

  async inject(fault: ScenarioFault, now: number): Promise<void> {
    const type = this.registry.require(fault.type);
    const entry: Applied = {
      fault,
      injectedAt: now,
      expiresAt: fault.durationMs !== undefined ? now + fault.durationMs : undefined,
    };
    this.applied.push(entry);
    this.logger.info({ type: fault.type, target: fault.target, params: fault.params }, 'injecting');
    entry.undo = await type.inject({
      substrate: this.provider.substrate,
      target: this.provider.target,
      entity: fault.targetRef,
      params: fault.params,
      logger: this.logger.child({ fault: fault.type }),
      signal: this.signal,
    });
    this.logger.info({ type: fault.type, undo: entry.undo.description }, 'injected');
  }

  firstInjectedAt(): number | undefined {
    return this.applied[0]?.injectedAt;
  }

  /** Undo faults whose duration has passed. */
  expireDue(now: number): void {
    for (const a of this.applied) {
      if (a.expiresAt !== undefined && a.expiresAt <= now && a.recoveredAt === undefined)
        void this.recover(a);
    }
  }

  private async recover(a: Applied): Promise<void> {
    if (a.recoveredAt !== undefined) return;
    a.recoveredAt = Date.now();
    if (!a.undo) return;
    this.logger.info({ type: a.fault.type, undo: a.undo.description }, 'recovering');
    await a.undo.undo();
  }

  async recoverAll(): Promise<void> {
    const errors: unknown[] = [];
    for (const a of [...this.applied].reverse()) {
      try {
        await this.recover(a);
      } catch (err) {
        errors.push(err);
        this.logger.error({ err, type: a.fault.type }, 'undo failed');
      }
    }
    if (errors.length > 0) throw errors[0];
  }

  records(): GroundTruth['faults'] {
    return this.applied.map((a) => ({
      type: a.fault.type,
      target: a.fault.target,
      params: (a.fault.params ?? {}) as Record<string, unknown>,
      injectedAt: new Date(a.injectedAt).toISOString(),
      recoveredAt: a.recoveredAt !== undefined ? new Date(a.recoveredAt).toISOString() : null,
    }));
  }
}
