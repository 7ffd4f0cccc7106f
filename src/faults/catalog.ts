import type { AnyFaultType } from './fault-type.js';
import { FaultRegistry } from './fault-registry.js';

/**
 * Every fault type firedrill ships. Each lives in its own file under ./types/; add one import and one
 * entry here per type, then regenerate scenario.schema.json (`npx tsx scripts/gen-scenario-schema.ts`).
 */
export const FAULT_TYPES: readonly AnyFaultType[] = [
  // fault types are appended here, one per file in types/
];

/** A fresh registry holding the shipped catalog (fresh so a caller that registers more cannot leak). */
export function defaultCatalog(): FaultRegistry {
  return new FaultRegistry(FAULT_TYPES);
}
