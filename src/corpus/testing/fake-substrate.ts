import type { CaptureSources } from '../../platform/capture-sources.js';
import type { FaultTarget } from '../../platform/fault-target.js';
import type { ProgressReporter, Substrate } from '../../platform/substrate.js';

/**
 * A substrate that stages nothing: it records its lifecycle calls so tests can check that a corpus
 * brings one substrate up once, resets it per run and takes it down. Fault and capture access throw:
 * corpus tests run a fake run function that never touches them.
 */
export class FakeSubstrate implements Substrate {
  readonly calls: string[] = [];

  constructor(readonly name: string = 'local') {}

  async up(signal: AbortSignal, progress: ProgressReporter): Promise<void> {
    this.calls.push('up');
    progress.phase('up', 'fake substrate');
    if (signal.aborted) throw new Error('aborted');
  }

  async reset(_signal: AbortSignal, _progress: ProgressReporter): Promise<void> {
    this.calls.push('reset');
  }

  get faultTarget(): FaultTarget {
    throw new Error('FakeSubstrate has no fault target');
  }

  get capture(): CaptureSources {
    throw new Error('FakeSubstrate has no capture sources');
  }

  async environment(): Promise<Record<string, unknown>> {
    return { substrate: this.name, fake: true };
  }

  async down(): Promise<void> {
    this.calls.push('down');
  }

  count(call: string): number {
    return this.calls.filter((c) => c === call).length;
  }
}
