import type { GroundTruth } from '../bundle/ground-truth.js';
import { normalizeEntityId, tryParseEntityId } from '../entities/entity-id.js';
import type { Scenario } from '../scenario/scenario.js';
import type { CheckResult } from './run-checks.js';

/**
 * Root-cause kinds whose harm travels through the scheduler (a cordoned or full Node leaves pods
 * Pending, with no node and so no edge back to it): the topology cannot draw that path, so a task whose
 * every root cause is one of them is not judged.
 */
const UNDRAWN_KINDS = new Set(['Node']);

/**
 * The expected alerts each root cause answers for (`Scenario.causeAlerts`, which the loader derives from
 * the fault types): a cause with none of its own answers for all of `expect.alerts`.
 */
export function expectedAlertsByCause(scenario: Scenario): (rootCause: string) => readonly string[] {
  const expected = scenario.spec.expect.alerts;
  const own = new Map<string, readonly string[]>();
  for (const [id, alerts] of Object.entries(scenario.causeAlerts ?? {}))
    own.set(normalizeEntityId(id), alerts);
  return (rootCause) => {
    const alerts = own.get(normalizeEntityId(rootCause));
    return alerts && alerts.length > 0 ? alerts : expected;
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
