import { InvalidInputError } from '../errors/invalid-input-error.js';
import { ScenarioError } from '../errors/scenario-error.js';
import { defaultCatalog } from '../faults/catalog.js';
import type { Scenario } from '../scenario/scenario.js';
import { validatePaths } from '../scenario/validate-paths.js';

/** Loads and validates every scenario first: nothing starts unless all of them can run on the substrate. */
export async function loadRunnable(paths: readonly string[], substrate: string): Promise<Scenario[]> {
  const report = await validatePaths(paths, defaultCatalog());
  if (report.problems.length > 0) throw new ScenarioError(report.problems);
  const refused = report.scenarios.filter((s) => !s.spec.substrates.includes(substrate));
  if (refused.length > 0) {
    throw new InvalidInputError(
      refused
        .map(
          (s) =>
            `${s.sourceFile}: scenario ${s.metadata.id} cannot run on the ${substrate} substrate; it runs on: ${s.spec.substrates.join(', ')}`,
        )
        .join('\n'),
    );
  }
  return report.scenarios;
}
