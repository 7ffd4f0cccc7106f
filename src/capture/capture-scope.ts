/** What belongs to the incident: the app's namespaces; the testbed's own namespace is never captured. */
export interface CaptureScope {
  namespaces: string[];
  /** Prometheus jobs whose series are captured. */
  jobs: string[];
  /** Query step, seconds (the scrape interval). */
  stepSec: number;
}

export const DEFAULT_SCOPE: CaptureScope = {
  namespaces: ['shop'],
  jobs: ['shop', 'kube-state-metrics', 'kubelet'],
  stepSec: 5,
};

/** Trace services that are testbed machinery, not part of the app. */
export const MACHINERY_SERVICES = new Set(['flags', 'loadgen']);
