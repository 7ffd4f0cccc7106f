import type { BundleHandle } from '../bundle/bundle-reader.js';
import type { GroundTruth } from '../bundle/ground-truth.js';
import { TruthFile } from '../bundle/layout.js';
import type { AlertsFile } from '../bundle/records.js';
import type { Labels } from '../bundle/records.js';
import { pendingAtCut } from './alert-spells.js';
import { dependencyAlertExplained, incidentAlertKeys, unexplainedAlerts } from './stability.js';

/** The firing alerts of one bundle as runs are compared, and the background alerts left out of them. */
export interface IncidentAlerts {
  /**
   * incidentAlertKeys(): background and unexplained alerts left out, from the first injection up to the
   * recipe's stableUntil.
   */
  keys: string[];
  /**
   * IncidentFacts.borderline: alerts pending at stableUntil that went on to fire or were still pending
   * at capture, and alerts whose condition began before the first fault, as the same filters judge them.
   */
  borderline: string[];
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
  const unexplained = unexplainedAlerts(truth.rootCauses, truth.expectedAlerts);
  const edges = edgeExplainer(truth);
  const keysOf = (of: AlertsFile, since: string | null): string[] =>
    incidentAlertKeys(of, backgroundAlerts, stableUntil, unexplained, since, edges);
  const keys = keysOf(alerts, truth.injectedAt);
  const atCut: AlertsFile = {
    active: [],
    timeline: stableUntil ? pendingAtCut(alerts.timeline ?? [], Date.parse(stableUntil)) : [],
  };
  // Judged by the same filters, without the injection cut: what began before the first fault is at an
  // edge too.
  const borderline = [...new Set([...keysOf(alerts, null), ...keysOf(atCut, null)])]
    .filter((k) => !keys.includes(k))
    .sort();
  return { keys, borderline, backgroundAlerts };
}

/** dependencyAlertExplained() for this truth; an alert the scenario expects always counts. */
function edgeExplainer(truth: GroundTruth): (labels: Labels, alertname: string) => boolean {
  const explained = dependencyAlertExplained(truth.rootCauses);
  const expected = new Set(truth.expectedAlerts);
  return (labels, alertname) => expected.has(alertname) || explained(labels);
}
