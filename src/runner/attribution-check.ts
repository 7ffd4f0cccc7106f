import type { GroundTruth } from '../bundle/ground-truth.js';
import { tryParseEntityId } from '../entities/entity-id.js';
import type { CheckResult } from './run-checks.js';

/**
 * Root-cause kinds whose harm travels through the scheduler (a cordoned or full Node leaves pods
 * Pending, with no node and so no edge back to it): the topology cannot draw that path, so a task whose
 * every root cause is one of them is not judged.
 */
const UNDRAWN_KINDS = new Set(['Node']);

/**
 * The `attributed` check: each root cause reaches, through the topology, an entity where one of the
 * expected alerts fired (the cause itself or one of its aliases counts). Expected alerts are matched by
 * name when the run waits, so an alert of the same name raised elsewhere by the cluster's own noise (a
 * frontend's error blip) could stand in for a fault that did nothing; this check, read from the
 * propagation the ground truth derives, refuses that run.
 */
export function attributionCheck(truth: GroundTruth, expected: readonly string[]): CheckResult {
  if (expected.length === 0) return { ok: true, detail: 'not judged: no expected alerts' };
  const judged = truth.rootCauses.filter((rc) => {
    const p = tryParseEntityId(rc.id);
    return !(p.ok && UNDRAWN_KINDS.has(p.ref.kind));
  });
  if (judged.length === 0)
    return { ok: true, detail: 'not judged: every root cause is a Node (harm through the scheduler)' };
  const want = new Set(expected);
  const unexplained: string[] = [];
  const explained: string[] = [];
  for (const rc of judged) {
    const hits = (rc.propagation ?? []).filter((p) => p.reached && p.alerts.some((a) => want.has(a)));
    if (hits.length === 0) {
      const elsewhere = (rc.propagation ?? [])
        .filter((p) => p.alerts.some((a) => want.has(a)))
        .map((p) => `${p.alerts.filter((a) => want.has(a)).join('+')} at ${p.symptom}`);
      unexplained.push(
        `${rc.id} reaches no entity where ${expected.join(', ')} fired` +
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
