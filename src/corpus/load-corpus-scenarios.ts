import { ScenarioError } from '../errors/scenario-error.js';
import type { FaultRegistry } from '../faults/fault-registry.js';
import { defaultCatalog } from '../faults/catalog.js';
import type { Scenario } from '../scenario/scenario.js';
import { validatePaths } from '../scenario/validate-paths.js';

export interface CorpusScenarios {
  /** Valid scenarios that run on the substrate. */
  runnable: Scenario[];
  /** Valid scenarios that do not list the substrate: left out of this corpus, not an error. */
  skipped: Scenario[];
}

/**
 * Loads every scenario first (any invalid file stops everything, listing every problem). Unlike
 * `firedrill run`, a scenario that does not run on the substrate is skipped rather than refused, so one
 * scenario directory serves the corpus of every substrate.
 */
export async function loadCorpusScenarios(
  paths: readonly string[],
  substrate: string,
  registry: FaultRegistry = defaultCatalog(),
): Promise<CorpusScenarios> {
  const report = await validatePaths(paths, registry);
  if (report.problems.length > 0) throw new ScenarioError(report.problems);
  const runnable = report.scenarios.filter((s) => s.spec.substrates.includes(substrate));
  const skipped = report.scenarios.filter((s) => !s.spec.substrates.includes(substrate));
  return { runnable, skipped };
}
