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

/** Long enough after a restart for a hang that comes back to fail the probe again (3 × 10 s, and some). */
const RECUR_WITHIN_MS = 45_000;
/** Event times have second resolution, and the kubelet records the failure that kills just after it. */
const KILL_SLACK_MS = 10_000;

/**
 * The liveness probe never failed again after the pod's one restart, watched long enough for a hang to
 * come back: until capture, or until the pod was stopped for another reason (a rollout replaced it, a
 * scale-down removed it), however soon: a pod that is gone cannot hang again, and it did not meanwhile.
 * Readiness is not asked: a pod whose dependency fails reports unready for the dependency's sake.
 */
function livenessQuietAfter(p: PodLife, capturedAt: number): boolean {
  const kill = p.livenessKills[0];
  const stopped = Math.min(...p.killed.filter((t) => t > kill));
  const until = Math.min(capturedAt, stopped);
  // Without the probe's own failures in the events nothing says it passed since: not judged healed.
  const last = p.lastLivenessFailure ?? null;
  return (
    last !== null && last <= kill + KILL_SLACK_MS && (until - kill >= RECUR_WITHIN_MS || stopped < capturedAt)
  );
}

/**
 * Workloads whose restarts in the window were the kubelet's routine: each restarted pod was restarted
 * once, by its liveness probe, and is running and ready at capture or its probe passed from then on.
 * Causes that show as liveness restarts repeat (a hang that comes back, a probe that can never pass:
 * back-off, more restarts) or leave the pod unready for its own sake; one restart followed by a healthy
 * container explains nothing that goes on after.
 */
function healedWorkloads(
  symptoms: readonly Symptom[],
  index: EntityIndex,
  pods: Map<EntityId, PodLife>,
  capturedAt: number,
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
    if (
      restarted.every(
        (p) => p.livenessKills.length === 1 && (readyNow(index, p.id) || livenessQuietAfter(p, capturedAt)),
      )
    )
      out.add(w);
  }
  return out;
}

/**
 * How long around a healed restart its pod is unready for the restart's own sake: the probe failures
 * that led to it (3 × 10 s) before, the container starting again and passing readiness after.
 */
const RESTART_UNREADY_MS = 60_000;

/**
 * The `crash` evidence of healed liveness restarts, and the `not-ready` evidence of the restart itself
 * (within RESTART_UNREADY_MS of a healed kill), cut to a fifth and said so: the time a workload's
 * trouble began must not be the routine restart's, or what it calls and goes wrong later could not
 * explain its later trouble.
 */
export function healedRestarts(
  symptoms: readonly Symptom[],
  index: EntityIndex,
  pods: Map<EntityId, PodLife>,
  capturedAt: number,
): Symptom[] {
  const healed = healedWorkloads(symptoms, index, pods, capturedAt);
  if (healed.size === 0) return [...symptoms];
  const kills = new Map<EntityId, number[]>();
  for (const p of pods.values())
    if (p.workload && healed.has(p.workload))
      kills.set(p.workload, [...(kills.get(p.workload) ?? []), ...p.livenessKills]);
  const aroundKill = (s: Symptom): boolean =>
    s.at !== null &&
    (kills.get(s.workload) ?? []).some((k) => Math.abs((s.at ?? 0) - k) <= RESTART_UNREADY_MS);
  return symptoms.map((s) =>
    healed.has(s.workload) && (s.kind === 'crash' || (s.kind === 'not-ready' && aroundKill(s)))
      ? {
          ...s,
          weight: s.weight * HEALED,
          detail: `${s.detail} (restarted once by its liveness probe, healthy again)`,
        }
      : s,
  );
}
