import { createHash } from 'node:crypto';
import type { Scenario } from '../scenario/scenario.js';

/**
 * Bundle ids are opaque (a directory or archive named after the scenario would tell an agent the answer)
 * but deterministic, so a corpus can be resumed: the same scenario, seed and repeat give the same id.
 */
export function bundleIdFor(scenario: Pick<Scenario, 'metadata'>, repeat: number, seed: number): string {
  const h = createHash('sha256').update(`${scenario.metadata.id}\n${seed}\n${repeat}`).digest('hex');
  return `incident-${h.slice(0, 12)}`;
}
