import { join } from 'node:path';
import { loadCorpusScenarios } from '../../src/corpus/load-corpus-scenarios.js';
import { REPO_ROOT } from '../../src/version.js';

export const SHOP_SCENARIOS = join(REPO_ROOT, 'scenarios/shop');

/**
 * Ids of the shipped scenarios that run on the substrate, sorted, as `corpus run` picks them: by the
 * loaded scenario, so one that leaves `spec.substrates` out counts wherever its faults can run.
 */
export async function shippedScenarioIds(substrate: string): Promise<string[]> {
  const { runnable } = await loadCorpusScenarios([SHOP_SCENARIOS], substrate);
  return runnable.map((s) => s.metadata.id).sort();
}
