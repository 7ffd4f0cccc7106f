import type { EntityId } from '../../src/entities/index.js';
import type { EntityIndex } from './entity-index.js';
import type { Symptom } from './evidence.js';
import type { PodLife } from './pod-lifecycle.js';

/** What is left of a healed restart's `crash` evidence. */
const HEALED = 0.2;

interface ContainerStatusLite {
  ready?: boolean;
  state?: { running?: unknown };
}

/** Every container of the pod runs and is ready at capture. */
function readyNow(index: EntityIndex, pod: EntityId): boolean {
  const statuses = (index.get(pod)?.status?.containerStatuses ?? []) as ContainerStatusLite[];
  return statuses.length > 0 && statuses.every((c) => c.ready === true && c.state?.running !== undefined);
}

/**
 * Workloads whose restarts in the window were the kubelet's routine: each restarted pod was restarted
 * once, by its liveness probe, and is running and ready at capture. Causes that show as liveness
 * restarts repeat (a hang that comes back, a probe that can never pass: back-off, more restarts) or
 * leave the pod unready; one restart followed by a ready container explains nothing that goes on after.
 */
function healedWorkloads(
  symptoms: readonly Symptom[],
  index: EntityIndex,
  pods: Map<EntityId, PodLife>,
): Set<EntityId> {
  const byWorkload = new Map<EntityId, PodLife[]>();
  for (const p of pods.values()) {
    if (!p.workload || p.livenessKills.length === 0) continue;
    byWorkload.set(p.workload, [...(byWorkload.get(p.workload) ?? []), p]);
  }
  const backingOff = new Set(
    symptoms
      .filter((s) => s.kind === 'crash' && /back-off|CrashLoopBackOff/i.test(s.detail))
      .map((s) => s.workload),
  );
  const out = new Set<EntityId>();
  for (const [w, restarted] of byWorkload) {
    if (backingOff.has(w)) continue;
    if (restarted.every((p) => p.livenessKills.length === 1 && readyNow(index, p.id))) out.add(w);
  }
  return out;
}

/** The `crash` evidence of healed liveness restarts, cut to a fifth and said so. */
export function healedRestarts(
  symptoms: readonly Symptom[],
  index: EntityIndex,
  pods: Map<EntityId, PodLife>,
): Symptom[] {
  const healed = healedWorkloads(symptoms, index, pods);
  if (healed.size === 0) return [...symptoms];
  return symptoms.map((s) =>
    s.kind === 'crash' && healed.has(s.workload)
      ? {
          ...s,
          weight: s.weight * HEALED,
          detail: `${s.detail} (restarted once by its liveness probe, ready again)`,
        }
      : s,
  );
}
