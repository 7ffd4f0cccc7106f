import type { CheckResult } from '../bundle/manifest.js';
import type { AlertsFile, Labels } from '../bundle/records.js';
import { workloadOfPod } from '../entities/pod-workload.js';

export const DEFAULT_STABILITY_THRESHOLD = 0.8;

/**
 * An alert as the stability check compares it across repeats: its name and the workload its labels
 * point at (`namespace/deployment`, else `namespace/service`, else the pod's workload). Pod names are
 * reduced to their workload because a cluster gives every repeat fresh pod names.
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
 * time would make repeats differ by the draw, not by the incident.
 */
export function firingAlertKeys(alerts: AlertsFile, until?: string | null): string[] {
  const keys = new Set<string>();
  if (!until)
    for (const a of alerts.active ?? []) if (a.state === 'firing') keys.add(alertKey(a.alertname, a.labels));
  for (const t of alerts.timeline ?? [])
    if (t.state === 'firing' && (!until || t.start <= until)) keys.add(alertKey(t.alertname, t.labels));
  return [...keys].sort();
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

/** What the stability check needs of one bundle. */
export interface StabilityInput {
  bundleId: string;
  scenarioId: string;
  substrate: string;
  repeat: number;
  firingAlerts: string[];
  /** Root-cause ids of the ground truth (aliases are not compared: pod names differ per repeat). */
  rootCauseIds: string[];
}

/**
 * The `stable` check, per bundle. Bundles are grouped by scenario and substrate (the repeats of one
 * task); a group is stable when every pair of repeats has firing-alert sets with Jaccard ≥ `threshold`
 * and identical root-cause id sets. Every bundle of the group gets the group's result; a group of one
 * cannot be judged and passes with a note.
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
      let worst: [StabilityInput, StabilityInput] = [group[0], group[1]];
      const truthDiff: string[] = [];
      const truthOf = (x: StabilityInput): string => [...new Set(x.rootCauseIds)].sort().join(',');
      for (let i = 0; i < group.length; i++)
        for (let j = i + 1; j < group.length; j++) {
          const jac = jaccard(group[i].firingAlerts, group[j].firingAlerts);
          if (jac < min) {
            min = jac;
            worst = [group[i], group[j]];
          }
          if (truthOf(group[i]) !== truthOf(group[j]))
            truthDiff.push(
              `r${group[i].repeat} [${truthOf(group[i])}] vs r${group[j].repeat} [${truthOf(group[j])}]`,
            );
        }
      const problems: string[] = [];
      if (min < threshold) {
        const [a, b] = worst;
        const onlyA = a.firingAlerts.filter((x) => !b.firingAlerts.includes(x));
        const onlyB = b.firingAlerts.filter((x) => !a.firingAlerts.includes(x));
        problems.push(
          `firing alerts differ across repeats: Jaccard ${min.toFixed(2)} < ${threshold} (r${a.repeat} only: ${onlyA.join(', ') || '-'}; r${b.repeat} only: ${onlyB.join(', ') || '-'})`,
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
