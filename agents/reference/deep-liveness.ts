import type { EntityId } from '../../src/entities/index.js';
import type { EntityIndex, Workload } from './entity-index.js';
import type { Symptom } from './evidence.js';
import type { ContainerSpec, ProbeSpec } from './kube.js';
import type { PodLife } from './pod-lifecycle.js';

/** What a liveness failure says when the container answered, but with a server error. */
const ANSWERED_5XX = /statuscode: 5\d\d|status code 5\d\d/i;

/** The port a probe checks, named ports resolved against the container's. */
function probePort(c: ContainerSpec, p: ProbeSpec): number | string | undefined {
  const port = p.httpGet?.port;
  if (typeof port !== 'string' || /^\d+$/.test(port)) return port === undefined ? undefined : Number(port);
  return c.ports?.find((x) => x.name === port)?.containerPort ?? port;
}

/**
 * A container whose liveness probe asks exactly what its readiness probe asks (same HTTP path and port):
 * the readiness check of a service usually checks its dependencies, so such a liveness probe restarts the
 * container whenever a dependency is down. A well-known anti-pattern, and a latent one: harmless until a
 * dependency fails.
 */
function livenessFollowsReadiness(w: Workload): ContainerSpec | undefined {
  return (w.template?.spec?.containers ?? []).find((c) => {
    const l = c.livenessProbe;
    const r = c.readinessProbe;
    return (
      l?.httpGet?.path !== undefined &&
      l.httpGet.path === r?.httpGet?.path &&
      probePort(c, l) === probePort(c, r)
    );
  });
}

/**
 * Workloads restarted by a liveness probe that asks their readiness check, most liveness failures of
 * theirs in the window an answer with a server error (the service said "not ready", it did not hang or
 * stop listening), by the path asked.
 */
function dependencyKilled(index: EntityIndex, pods: ReadonlyMap<EntityId, PodLife>): Map<EntityId, string> {
  const failures = new Map<EntityId, { answered: number; other: number }>();
  for (const p of pods.values()) {
    if (!p.workload) continue;
    const f = failures.get(p.workload) ?? { answered: 0, other: 0 };
    for (const message of p.livenessFailures) {
      if (ANSWERED_5XX.test(message)) f.answered++;
      else f.other++;
    }
    failures.set(p.workload, f);
  }
  const out = new Map<EntityId, string>();
  for (const [id, f] of failures) {
    // Mostly answers: a background probe restart of one pod (a probe that timed out before the incident)
    // does not make the workload's later crash loop its own.
    if (f.answered <= f.other) continue;
    const w = index.workloadOf(id);
    const c = w && livenessFollowsReadiness(w);
    if (c?.livenessProbe?.httpGet?.path) out.set(id, c.livenessProbe.httpGet.path);
  }
  return out;
}

/**
 * The restarts of a workload whose liveness probe asks its readiness check, and was answered "not ready",
 * are its readiness verdict carried out by the kubelet: what made it unready (a dependency it checks) made
 * it restart. Its `crash` evidence becomes `not-ready`, which its callees' trouble can explain, so the
 * loudest crash loop of an incident is not taken for its cause.
 */
export function dependencyRestarts(
  symptoms: readonly Symptom[],
  index: EntityIndex,
  pods: ReadonlyMap<EntityId, PodLife>,
): Symptom[] {
  const killed = dependencyKilled(index, pods);
  if (killed.size === 0) return [...symptoms];
  return symptoms.map((s) => {
    const path = killed.get(s.workload);
    return path !== undefined && s.kind === 'crash'
      ? {
          ...s,
          kind: 'not-ready',
          detail: `${s.detail} (its liveness probe asks ${path}, its readiness check, which answered a server error: restarted for what it depends on)`,
        }
      : s;
  });
}
