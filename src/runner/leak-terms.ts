import type { FaultRegistry } from '../faults/fault-registry.js';
import type { Scenario } from '../scenario/scenario.js';

/** Strings that would give the answer away if they showed in snapshot/: the fault types, the scenario, its settings keys. */
export function leakTerms(scenario: Scenario, registry: FaultRegistry): string[] {
  const terms = new Set<string>([scenario.metadata.id, scenario.metadata.title]);
  for (const t of registry.list()) terms.add(t.id);
  for (const f of scenario.spec.faults) {
    for (const setting of ['latency', 'errors', 'cpu', 'retention', 'upstream', 'cache']) {
      terms.add(`${f.targetRef.name}.${setting}`);
    }
  }
  return [...terms];
}
