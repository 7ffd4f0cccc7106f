import type { KubeObject } from '../kube/kube-object.js';
import type { CaptureSources } from './capture-sources.js';
import type { FaultTarget } from './fault-target.js';

export interface ProgressReporter {
  /** One short line for the progress display on stderr: what is happening, what is awaited. */
  phase(name: string, detail?: string): void;
}

/** A change to the app's manifests (in place) before a reset applies them. */
export type ManifestEdit = (objects: KubeObject[]) => void;

/**
 * Where incidents are staged. Lifecycle: `up` (infrastructure, app and observability deployed and
 * healthy) → any number of runs (`reset` between them) → `down`. Every method honours the signal.
 */
export interface Substrate {
  /** Its registered name (src/substrates/registry.ts). */
  readonly name: string;
  up(signal: AbortSignal, progress: ProgressReporter): Promise<void>;
  /**
   * Put the app back to its baseline (manifests re-applied, settings cleared) and wait until healthy.
   * `asDeployed` changes the app's manifests, as loaded, before they are applied: the app is then deployed
   * as it stood before the incident (a scenario's preconditions), from its first revision on.
   */
  reset(signal: AbortSignal, progress: ProgressReporter, asDeployed?: ManifestEdit): Promise<void>;
  readonly faultTarget: FaultTarget;
  readonly capture: CaptureSources;
  /** What actually ran: versions, images, binaries; recorded in each bundle's manifest. */
  environment(): Promise<Record<string, unknown>>;
  /** URLs worth showing a user who keeps the substrate up (Prometheus, Alertmanager...). */
  endpoints?(): Record<string, string>;
  /** Stop everything this substrate started (idempotent). */
  down(): Promise<void>;
}
