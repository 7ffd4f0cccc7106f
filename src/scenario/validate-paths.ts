import type { ScenarioProblem } from '../errors/scenario-error.js';
import { defaultCatalog } from '../faults/catalog.js';
import type { FaultRegistry } from '../faults/fault-registry.js';
import { collectScenarioFiles } from './find-scenario-files.js';
import { checkScenarioFile, sortProblems, type ScenarioCheck } from './load-scenario.js';
import type { Scenario } from './scenario.js';

export interface ValidationReport {
  /** Every scenario file that was checked, in order. */
  files: string[];
  /** All problems, grouped by file in `files` order, by position within a file. */
  problems: ScenarioProblem[];
  /** The scenarios of the files without problems. */
  scenarios: Scenario[];
}

/**
 * Validates files and directories of scenarios as one set: besides each file's own problems, a
 * `metadata.id` used by an earlier file is a problem in every later one.
 */
export async function validatePaths(
  paths: readonly string[],
  registry: FaultRegistry = defaultCatalog(),
): Promise<ValidationReport> {
  const { files, problems } = await collectScenarioFiles(paths);
  const checks: ScenarioCheck[] = [];
  for (const f of files) checks.push(await checkScenarioFile(f, registry));

  const firstById = new Map<string, ScenarioCheck>();
  const scenarios: Scenario[] = [];
  for (const c of checks) {
    const own = [...c.problems];
    if (c.id) {
      const first = firstById.get(c.id.value);
      if (first?.id) {
        own.push({
          file: c.file,
          line: c.id.line,
          col: c.id.col,
          path: 'metadata.id',
          message: `duplicate scenario id "${c.id.value}"; first used in ${first.file}:${first.id.line}:${first.id.col}`,
        });
      } else {
        firstById.set(c.id.value, c);
      }
    }
    problems.push(...sortProblems(own));
    if (c.scenario && own.length === 0) scenarios.push(c.scenario);
  }
  return { files, problems, scenarios };
}
