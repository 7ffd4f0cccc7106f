import type { BundleHandle } from '../bundle/bundle-reader.js';
import type { GroundTruth } from '../bundle/ground-truth.js';
import { TruthFile } from '../bundle/layout.js';
import type { AlertsFile } from '../bundle/records.js';
import type { Labels } from '../bundle/records.js';
import {
  dependencyAlertExplained,
  incidentAlertKeys,
  STABILITY_GRACE_MS,
  unexplainedAlerts,
} from './stability.js';

/** The firing alerts of one bundle as runs are compared, and the background alerts left out of them. */
export interface IncidentAlerts {
  /**
   * incidentAlertKeys(): background and unexplained alerts left out, from the first injection up to the
   * recipe's stableUntil.
   */
  keys: string[];
  /**
   * Those that started firing within STABILITY_GRACE_MS after stableUntil, or were pending at it and
   * still at capture (none without a stableUntil).
   */
  soonAfter: string[];
  backgroundAlerts: string[];
}

/**
 * Reads what the comparison needs besides the alerts themselves: the recipe's `stableUntil` (only what
 * the scenario itself observes), truth/background.json's alerts and the ground truth's propagation.
 * The corpus' `stable` check and `bundle diff` both read through here, so they cannot drift apart.
 */
export async function readIncidentAlerts(
  b: BundleHandle,
  alerts: AlertsFile,
  truth: GroundTruth,
): Promise<IncidentAlerts> {
  const stableUntil = b.has(TruthFile.recipe)
    ? ((await b.readJson<{ stableUntil?: string | null }>(TruthFile.recipe)).stableUntil ?? null)
    : null;
  const backgroundAlerts = b.has(TruthFile.background)
    ? ((await b.readJson<{ alerts?: string[] }>(TruthFile.background)).alerts ?? [])
    : [];
  const keysUntil = (until: string | null, of: AlertsFile = alerts): string[] =>
    incidentAlertKeys(
      of,
      backgroundAlerts,
      until,
      unexplainedAlerts(truth.rootCauses, truth.expectedAlerts),
      truth.injectedAt,
      edgeExplainer(truth),
    );
  const keys = keysUntil(stableUntil);
  const graceEnd = stableUntil ? new Date(Date.parse(stableUntil) + STABILITY_GRACE_MS).toISOString() : null;
  // Late too: an alert pending at the cut and still pending when the snapshot ends (its condition held,
  // the window closed before its `for` ran out), as the same filters judge it.
  const pendingAtCut: AlertsFile = {
    active: [],
    timeline: stableUntil
      ? (alerts.timeline ?? [])
          .filter((t) => t.state === 'pending' && t.start <= stableUntil && t.end === null)
          .map((t) => ({ ...t, state: 'firing' as const }))
      : [],
  };
  const soonAfter = graceEnd
    ? [...new Set([...keysUntil(graceEnd), ...keysUntil(stableUntil, pendingAtCut)])]
        .filter((k) => !keys.includes(k))
        .sort()
    : [];
  return { keys, soonAfter, backgroundAlerts };
}

/** dependencyAlertExplained() for this truth; an alert the scenario expects always counts. */
function edgeExplainer(truth: GroundTruth): (labels: Labels, alertname: string) => boolean {
  const explained = dependencyAlertExplained(truth.rootCauses);
  const expected = new Set(truth.expectedAlerts);
  return (labels, alertname) => expected.has(alertname) || explained(labels);
}
