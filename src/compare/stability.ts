import type { CheckResult } from '../bundle/manifest.js';
import type { AlertsFile, AlertTimelineEntry, Labels } from '../bundle/records.js';
import { alertEntity } from '../entities/alert-entity.js';
import { workloadOfPod } from '../entities/pod-workload.js';
import { conditionOnsets } from './alert-spells.js';

/**
 * When two runs are "the same incident": the one definition behind the corpus' `stable` check (repeats
 * of one scenario) and `bundle diff` / `reproduce` (a bundle and its re-staging). docs/reproduce.md
 * states it for users; change both together.
 */
export const DEFAULT_STABILITY_THRESHOLD = 0.8;

/**
 * An alert as runs are compared: its name and the workload its labels point at (`namespace/deployment`,
 * else `namespace/service`, else the pod's workload). Pod names are reduced to their workload because
 * every run gets fresh pod names.
 */
export function alertKey(alertname: string, labels: Labels): string {
  const ns = labels.namespace ?? '';
  const target = labels.deployment ?? labels.service ?? (labels.pod ? workloadOfPod(labels.pod) : undefined);
  return target ? `${alertname}@${ns}/${target}` : ns ? `${alertname}@${ns}` : alertname;
}

/**
 * Every alert that was firing at some point of the window (timeline) or at capture (active). With
 * `until` (ISO time), only those that started firing by then: a run draws extra observation time after
 * the scenario's own `window.after` (docs/scenario-format.md), and what shows only in that random extra
 * time would make repeats differ by the draw, not by the incident. With `since` (the first fault's
 * injection), only those whose condition began from then on (the pending entry that ran into the
 * firing one, else the firing's start): an alert already firing, or already pending, before any fault
 * was the run's background, whatever it names, and background differs between repeats by design.
 */
export function firingAlertKeys(alerts: AlertsFile, until?: string | null, since?: string | null): string[] {
  const keys = new Set<string>();
  if (!until)
    for (const a of alerts.active ?? []) if (a.state === 'firing') keys.add(alertKey(a.alertname, a.labels));
  const untilMs = until ? Date.parse(until) : null;
  const sinceMs = since ? Date.parse(since) : null;
  const onset =
    sinceMs !== null
      ? conditionOnsets(alerts.timeline ?? [], alerts.active ?? [])
      : new Map<AlertTimelineEntry, number>();
  for (const t of alerts.timeline ?? []) {
    if (t.state !== 'firing') continue;
    const start = Date.parse(t.start);
    if ((untilMs === null || start <= untilMs) && (sinceMs === null || (onset.get(t) ?? start) >= sinceMs))
      keys.add(alertKey(t.alertname, t.labels));
  }
  return [...keys].sort();
}

/** What unexplainedAlerts() needs of a root cause: its propagation in the ground truth. */
export interface PropagatedCause {
  propagation?: ReadonlyArray<{ symptom: string; alerts: readonly string[]; reached: boolean }>;
}

const symptomKey = (entity: string, alertname: string): string => `${entity}\n${alertname}`;

/**
 * The alerts (as `entity\nalertname`) that fired after the fault on an entity no root cause reaches
 * through the topology in the direction harm travels (truth `propagation`, `reached: false` for every
 * cause): a latency blip while another workload rolls out, an error burst of a batch Job. The incident
 * cannot have raised them, so they are noise of the run, and noise differs between repeats by design.
 * An alert the scenario expects is never left out: if its entity is unreached, the topology misses an
 * edge, and the comparison keeps it. Empty when a root cause has no propagation (older bundles): nothing
 * is left out then.
 */
export function unexplainedAlerts(
  rootCauses: readonly PropagatedCause[],
  expectedAlerts: readonly string[] = [],
): Set<string> {
  if (rootCauses.length === 0 || rootCauses.some((rc) => !rc.propagation)) return new Set();
  const expected = new Set(expectedAlerts);
  const seen = new Set<string>();
  const reached = new Set<string>();
  for (const rc of rootCauses)
    for (const p of rc.propagation ?? [])
      for (const a of p.alerts) {
        if (expected.has(a)) continue;
        seen.add(symptomKey(p.symptom, a));
        if (p.reached) reached.add(symptomKey(p.symptom, a));
      }
  return new Set([...seen].filter((k) => !reached.has(k)));
}

/** What dependencyAlertExplained() needs of a root cause: its ids and its propagation. */
export interface CauseWithPropagation extends PropagatedCause {
  id: string;
  aliases?: readonly string[];
}

/** The workload or Service name an entity id stands for (`shop/Pod/cart-5d-x7k2p` → `shop/cart`). */
function workloadName(entity: string): string | undefined {
  const [ns, kind, name] = entity.split('/');
  if (!ns || !kind || !name) return undefined;
  if (kind === 'Pod') {
    const w = workloadOfPod(name);
    return w ? `${ns}/${w}` : undefined;
  }
  return ['Deployment', 'StatefulSet', 'Service'].includes(kind) ? `${ns}/${name}` : undefined;
}

/**
 * Whether a dependency alert (labels `service` calling `dependency`) can be the incident's: its caller is a
 * root cause (a caller broken in how it calls), or its dependency is one or is reached by one (truth
 * `propagation`). Errors calling a Service the incident never reached are that edge's own noise (a
 * rescheduled pod, a blip), even when the caller is reached by the incident through another callee.
 * Alerts without a `dependency` label, and bundles without propagation, always count.
 */
export function dependencyAlertExplained(
  rootCauses: readonly CauseWithPropagation[],
): (labels: Labels) => boolean {
  if (rootCauses.length === 0 || rootCauses.some((rc) => !rc.propagation)) return () => true;
  const causes = new Set(
    rootCauses.flatMap((rc) => [rc.id, ...(rc.aliases ?? [])]).flatMap((e) => workloadName(e) ?? []),
  );
  const reached = new Set(
    rootCauses.flatMap((rc) =>
      (rc.propagation ?? []).filter((p) => p.reached).flatMap((p) => workloadName(p.symptom) ?? []),
    ),
  );
  return (labels) => {
    if (!labels.dependency) return true;
    const ns = labels.namespace ?? '';
    const dep = `${ns}/${labels.dependency}`;
    return (
      (labels.service !== undefined && causes.has(`${ns}/${labels.service}`)) ||
      causes.has(dep) ||
      reached.has(dep)
    );
  };
}

/**
 * The firing alerts that belong to the incident. Left out: the alerts background activity raises on
 * purpose (truth/background.json `alerts`), and those on entities the fault cannot have reached
 * (`unexplained`, from unexplainedAlerts()), and dependency alerts on an edge it cannot have reached
 * (`edgeExplained`, from dependencyAlertExplained()). `until`: the recipe's `stableUntil`; `since`: the
 * ground truth's `injectedAt` (see firingAlertKeys).
 */
export function incidentAlertKeys(
  alerts: AlertsFile,
  backgroundAlerts: readonly string[],
  until?: string | null,
  unexplained: ReadonlySet<string> = new Set(),
  since?: string | null,
  edgeExplained: (labels: Labels, alertname: string) => boolean = () => true,
): string[] {
  const ignored = new Set(backgroundAlerts);
  const explained = <T extends { alertname: string; labels: Labels }>(a: T): boolean => {
    const entity = alertEntity({ ...a.labels, alertname: a.alertname });
    return (
      (!entity || !unexplained.has(symptomKey(entity, a.alertname))) && edgeExplained(a.labels, a.alertname)
    );
  };
  const kept: AlertsFile = {
    ...alerts,
    active: (alerts.active ?? []).filter(explained),
    timeline: (alerts.timeline ?? []).filter(explained),
  };
  return firingAlertKeys(kept, until, since).filter((k) => !ignored.has(k.split('@')[0]));
}

/** |A ∩ B| / |A ∪ B|; two empty sets agree completely (1). */
export function jaccard(a: readonly string[], b: readonly string[]): number {
  const A = new Set(a);
  const B = new Set(b);
  if (A.size === 0 && B.size === 0) return 1;
  let inter = 0;
  for (const x of A) if (B.has(x)) inter++;
  return inter / (A.size + B.size - inter);
}

/** What "same incident" compares of one run. */
export interface IncidentFacts {
  /** incidentAlertKeys(): firing alerts by workload, background and unexplained alerts left out. */
  firingAlerts: readonly string[];
  /**
   * Alerts this run shows only at the edges of what it compares, as incidentAlertKeys() keys: pending
   * at its cut (the window closed before their `for` ran out; alert-spells.ts pendingAtCut), or with a
   * condition that began before the first fault. Not this run's own, but enough for the other run's
   * alert to count as shared: where a run starts and stops comparing is not part of the incident.
   * Absent: none.
   */
  borderline?: readonly string[];
  /** Root-cause ids of the ground truth (aliases are not compared: pod names differ per run). */
  rootCauseIds: readonly string[];
}

export interface IncidentComparison {
  same: boolean;
  jaccard: number;
  threshold: number;
  /** Firing alert keys only the first / only the second run has. */
  alertsOnlyA: string[];
  alertsOnlyB: string[];
  /** Keys one run fired and the other showed only at an edge (IncidentFacts.borderline): counted as shared. */
  alertsSharedAtEdge: string[];
  rootCausesOnlyA: string[];
  rootCausesOnlyB: string[];
  /** One line: why they are (not) the same incident. */
  detail: string;
}

const onlyIn = (a: readonly string[], b: readonly string[]): string[] =>
  [...new Set(a)].filter((x) => !b.includes(x)).sort();

/**
 * Jaccard of the two runs' firing alerts, where an alert one run has counts as shared when the other
 * shows it at an edge (`borderline`): |A ∪ B| less what only one has, over |A ∪ B|. Without
 * `borderline` this is jaccard(A, B). `sharedAtEdge`: the alerts that counted as shared only that way.
 */
function incidentJaccard(
  a: IncidentFacts,
  b: IncidentFacts,
): { value: number; onlyA: string[]; onlyB: string[]; sharedAtEdge: string[] } {
  const onlyA = onlyIn(a.firingAlerts, [...b.firingAlerts, ...(b.borderline ?? [])]);
  const onlyB = onlyIn(b.firingAlerts, [...a.firingAlerts, ...(a.borderline ?? [])]);
  const union = new Set([...a.firingAlerts, ...b.firingAlerts]);
  const sharedAtEdge = [...union]
    .filter((x) => !(a.firingAlerts.includes(x) && b.firingAlerts.includes(x)))
    .filter((x) => !onlyA.includes(x) && !onlyB.includes(x))
    .sort();
  const value = union.size === 0 ? 1 : (union.size - onlyA.length - onlyB.length) / union.size;
  return { value, onlyA, onlyB, sharedAtEdge };
}

/**
 * Two runs are the same incident when their firing alerts agree with Jaccard ≥ `threshold` (an alert
 * the other run shows at an edge of its comparison counts as shared: IncidentFacts.borderline) and their
 * root-cause id sets are identical.
 */
export function compareIncidents(
  a: IncidentFacts,
  b: IncidentFacts,
  threshold = DEFAULT_STABILITY_THRESHOLD,
): IncidentComparison {
  const { value: jac, onlyA, onlyB, sharedAtEdge } = incidentJaccard(a, b);
  const r = {
    jaccard: jac,
    threshold,
    alertsOnlyA: onlyA,
    alertsOnlyB: onlyB,
    alertsSharedAtEdge: sharedAtEdge,
    rootCausesOnlyA: onlyIn(a.rootCauseIds, b.rootCauseIds),
    rootCausesOnlyB: onlyIn(b.rootCauseIds, a.rootCauseIds),
  };
  const alertsOk = jac >= threshold;
  const truthOk = r.rootCausesOnlyA.length === 0 && r.rootCausesOnlyB.length === 0;
  const parts = [
    alertsOk
      ? `firing alerts agree: Jaccard ${jac.toFixed(2)} ≥ ${threshold}`
      : `firing alerts differ: Jaccard ${jac.toFixed(2)} < ${threshold}`,
    truthOk ? 'same root causes' : 'root causes differ',
  ];
  return { ...r, same: alertsOk && truthOk, detail: parts.join('; ') };
}

/** What the stability check needs of one bundle. */
export interface StabilityInput extends IncidentFacts {
  bundleId: string;
  scenarioId: string;
  substrate: string;
  repeat: number;
  firingAlerts: string[];
  borderline?: string[];
  rootCauseIds: string[];
}

/**
 * The `stable` check, per bundle. Bundles are grouped by scenario and substrate (the repeats of one
 * task); a group is stable when every pair of repeats is the same incident (compareIncidents). Every
 * bundle of the group gets the group's result; a group of one cannot be judged and passes with a note.
 */
export function stabilityChecks(
  inputs: readonly StabilityInput[],
  threshold = DEFAULT_STABILITY_THRESHOLD,
): Map<string, CheckResult> {
  const groups = new Map<string, StabilityInput[]>();
  for (const i of inputs) {
    const k = `${i.scenarioId}\n${i.substrate}`;
    groups.set(k, [...(groups.get(k) ?? []), i]);
  }
  const out = new Map<string, CheckResult>();
  for (const group of groups.values()) {
    group.sort((a, b) => a.repeat - b.repeat || a.bundleId.localeCompare(b.bundleId));
    let result: CheckResult;
    if (group.length < 2) {
      result = { ok: true, detail: 'one repeat: stability not assessed' };
    } else {
      let min = Infinity;
      let worst: [StabilityInput, StabilityInput, IncidentComparison] | undefined;
      const truthDiff: string[] = [];
      const truthOf = (x: StabilityInput): string => [...new Set(x.rootCauseIds)].sort().join(',');
      for (let i = 0; i < group.length; i++)
        for (let j = i + 1; j < group.length; j++) {
          const c = compareIncidents(group[i], group[j], threshold);
          if (c.jaccard < min) {
            min = c.jaccard;
            worst = [group[i], group[j], c];
          }
          if (c.rootCausesOnlyA.length > 0 || c.rootCausesOnlyB.length > 0)
            truthDiff.push(
              `r${group[i].repeat} [${truthOf(group[i])}] vs r${group[j].repeat} [${truthOf(group[j])}]`,
            );
        }
      const problems: string[] = [];
      if (worst && min < threshold) {
        const [a, b, c] = worst;
        problems.push(
          `firing alerts differ across repeats: Jaccard ${min.toFixed(2)} < ${threshold} (r${a.repeat} only: ${c.alertsOnlyA.join(', ') || '-'}; r${b.repeat} only: ${c.alertsOnlyB.join(', ') || '-'})`,
        );
      }
      if (truthDiff.length > 0) problems.push(`ground truth differs: ${truthDiff.slice(0, 3).join('; ')}`);
      result =
        problems.length > 0
          ? { ok: false, detail: problems.join('; ') }
          : {
              ok: true,
              detail: `${group.length} repeats: min pairwise Jaccard ${min.toFixed(2)} ≥ ${threshold}, same root causes`,
            };
    }
    for (const i of group) out.set(i.bundleId, result);
  }
  return out;
}
