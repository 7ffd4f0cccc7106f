import type { CaptureSources } from '../capture-sources.js';
import type { FaultTarget } from '../fault-target.js';
import type { ManifestEdit, ProgressReporter, Substrate } from '../substrate.js';

/**
 * A substrate that stages nothing: it records its lifecycle calls so tests can check that a corpus
 * brings one substrate up once, resets it per run and takes it down. Fault and capture access throw
 * unless the test hands in fakes for them (run phase tests do; corpus tests run a fake run function).
 */
export class FakeSubstrate implements Substrate {
  readonly calls: string[] = [];

  constructor(
    readonly name: string = 'local',
    private readonly parts: { faultTarget?: FaultTarget; capture?: CaptureSources } = {},
  ) {}

  async up(signal: AbortSignal, progress: ProgressReporter): Promise<void> {
    this.calls.push('up');
    progress.phase('up', 'fake substrate');
    if (signal.aborted) throw new Error('aborted');
  }

  /**
   * Records the call; with an edit, deploys the edited Deployments of its fault target's objects, as a
   * real reset deploys the edited manifests.
   */
  async reset(_signal: AbortSignal, _progress: ProgressReporter, asDeployed?: ManifestEdit): Promise<void> {
    this.calls.push('reset');
    const objects = this.parts.faultTarget?.objects;
    if (!asDeployed || !objects) return;
    const deployments = await objects.list('Deployment');
    asDeployed(deployments);
    for (const d of deployments) await objects.apply(d);
  }

  get faultTarget(): FaultTarget {
    if (!this.parts.faultTarget) throw new Error('FakeSubstrate has no fault target');
    return this.parts.faultTarget;
  }

  get capture(): CaptureSources {
    if (!this.parts.capture) throw new Error('FakeSubstrate has no capture sources');
    return this.parts.capture;
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
