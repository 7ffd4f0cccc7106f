import type { GroundTruth } from '../bundle/ground-truth.js';
import { normalizeEntityId, tryParseEntityId } from '../entities/entity-id.js';
import type { FaultRegistry } from '../faults/fault-registry.js';
import type { Scenario } from '../scenario/scenario.js';
import type { CheckResult } from './run-checks.js';

/**
 * Root-cause kinds whose harm travels through the scheduler (a cordoned or full Node leaves pods
 * Pending, with no node and so no edge back to it): the topology cannot draw that path, so a task whose
 * every root cause is one of them is not judged.
 */
const UNDRAWN_KINDS = new Set(['Node']);

/**
 * The expected alerts each root cause answers for: those its own faults declare (the fault types whose
 * ground truth names it), within the scenario's `expect.alerts`. A cause no fault declares (a
 * `groundTruth` override: the ConfigMap of a latent edit, not the rollout that exposed it), or whose
 * faults declare none of the expected names, answers for all of them.
 */
export function expectedAlertsByCause(
  scenario: Scenario,
  registry: FaultRegistry,
): (rootCause: string) => readonly string[] {
  const expected = scenario.spec.expect.alerts;
  const own = new Map<string, Set<string>>();
  for (const f of scenario.spec.faults) {
    const type = registry.get(f.type);
    if (!type) continue;
    const alerts = type.expectedAlerts(f.targetRef, f.params).filter((a) => expected.includes(a));
    for (const id of type.groundTruth(f.targetRef, f.params)) {
      const key = normalizeEntityId(id);
      const set = own.get(key) ?? new Set<string>();
      for (const a of alerts) set.add(a);
      own.set(key, set);
    }
  }
  return (rootCause) => {
    const set = own.get(normalizeEntityId(rootCause));
    return set && set.size > 0 ? [...set] : expected;
  };
}

/**
 * The `attributed` check: each root cause reaches, through the topology, an entity where one of the
 * expected alerts it answers for fired (the cause itself or one of its aliases counts). Expected alerts
 * are matched by name when the run waits, so an alert of the same name raised elsewhere by the cluster's
 * own noise (a frontend's error blip), or by the other cause of a two-cause task, could stand in for a
 * fault that did nothing; this check, read from the propagation the ground truth derives, refuses that run.
 */
export function attributionCheck(
  truth: GroundTruth,
  expected: readonly string[],
  expectedFor: (rootCause: string) => readonly string[] = () => expected,
): CheckResult {
  if (expected.length === 0) return { ok: true, detail: 'not judged: no expected alerts' };
  const judged = truth.rootCauses.filter((rc) => {
    const p = tryParseEntityId(rc.id);
    return !(p.ok && UNDRAWN_KINDS.has(p.ref.kind));
  });
  if (judged.length === 0)
    return { ok: true, detail: 'not judged: every root cause is a Node (harm through the scheduler)' };
  const unexplained: string[] = [];
  const explained: string[] = [];
  for (const rc of judged) {
    const names = expectedFor(rc.id);
    const want = new Set(names);
    const hits = (rc.propagation ?? []).filter((p) => p.reached && p.alerts.some((a) => want.has(a)));
    if (hits.length === 0) {
      const elsewhere = (rc.propagation ?? [])
        .filter((p) => p.alerts.some((a) => want.has(a)))
        .map((p) => `${p.alerts.filter((a) => want.has(a)).join('+')} at ${p.symptom}`);
      unexplained.push(
        `${rc.id} reaches no entity where ${names.join(', ')} fired` +
          (elsewhere.length > 0 ? `; it fired elsewhere: ${elsewhere.slice(0, 3).join(', ')}` : ''),
      );
    } else {
      const h = hits[0];
      explained.push(`${rc.id} → ${h?.symptom ?? ''} (${h?.path.length ?? 0} hops)`);
    }
  }
  return unexplained.length > 0
    ? { ok: false, detail: unexplained.join('; ') }
    : { ok: true, detail: explained.join('; ') };
}
