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

/**
 * API groups of testbed machinery (the chaos engine): events about their objects are never captured, even
 * cluster-scoped ones, since their names and reasons would give the incident away.
 */
export const MACHINERY_API_GROUPS = new Set(['chaos-mesh.org']);

/** The API group of an `apiVersion` (`chaos-mesh.org/v1alpha1` → `chaos-mesh.org`; core → ''). */
export function apiGroupOf(apiVersion: string | undefined): string {
  const i = apiVersion?.indexOf('/') ?? -1;
  return i > 0 && apiVersion ? apiVersion.slice(0, i) : '';
}
