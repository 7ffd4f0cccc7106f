import type { CaptureSources } from '../capture/capture-sources.js';
import type { FaultTarget } from '../faults/fault-target.js';
import type { SubstrateName } from './substrate-name.js';

export interface ProgressReporter {
  /** One short line for the progress display on stderr: what is happening, what is awaited. */
  phase(name: string, detail?: string): void;
}

/**
 * Where incidents are staged. Lifecycle: `up` (infrastructure, app and observability deployed and
 * healthy) → any number of runs (`reset` between them) → `down`. Every method honours the signal.
 */
export interface Substrate {
  readonly name: SubstrateName;
  up(signal: AbortSignal, progress: ProgressReporter): Promise<void>;
  /** Put the app back to its baseline (manifests re-applied, settings cleared) and wait until healthy. */
  reset(signal: AbortSignal, progress: ProgressReporter): Promise<void>;
  readonly faultTarget: FaultTarget;
  readonly capture: CaptureSources;
  /** What actually ran: versions, images, binaries; recorded in each bundle's manifest. */
  environment(): Promise<Record<string, unknown>>;
  /** Stop everything this substrate started (idempotent). */
  down(): Promise<void>;
}
