import type { FaultRegistry } from '../faults/fault-registry.js';
import type { Scenario } from '../scenario/scenario.js';

/**
 * Strings that would give the answer away if they showed in snapshot/: the scenario's id and title,
 * every fault type id, and whatever each of the scenario's faults and preconditions says would name it (a
 * precondition is no answer, but a marker it leaves would still tell a testbed's change from an operator's).
 */
export function leakTerms(scenario: Scenario, registry: FaultRegistry): string[] {
  const terms = new Set<string>([scenario.metadata.id, scenario.metadata.title]);
  for (const t of registry.list()) terms.add(t.id);
  for (const f of [...scenario.spec.faults, ...(scenario.spec.preconditions ?? [])]) {
    for (const term of registry.require(f.type).leakTerms?.(f.targetRef, f.params) ?? []) terms.add(term);
  }
  return [...terms];
}
