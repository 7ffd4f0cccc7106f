import type { AnyFaultType } from './fault-type.js';
import { FaultRegistry } from './fault-registry.js';
import { appLatency } from './types/app-latency.js';
import { appErrorRate } from './types/app-error-rate.js';
import { appCpuBurn } from './types/app-cpu-burn.js';
import { appMemoryLeak } from './types/app-memory-leak.js';
import { appDependencyUnreachable } from './types/app-dependency-unreachable.js';
import { podKill } from './types/pod-kill.js';
import { crashLoop } from './types/crash-loop.js';
import { envOverride } from './types/env-override.js';
import { memoryLimit } from './types/memory-limit.js';
import { scaleToZero } from './types/scale-to-zero.js';
import { configCorruption } from './types/config-corruption.js';
import { redisMaxmemory } from './types/redis-maxmemory.js';
import { redisAuthChange } from './types/redis-auth-change.js';
// kubernetes-only faults, group A: imports
// kubernetes-only faults, group B: imports
// kubernetes-only faults, group C: imports
// kubernetes-only faults, group D: imports

/**
 * Every fault type firedrill ships. Each lives in its own file under ./types/; add one import and one
 * entry here per type, then regenerate scenario.schema.json (`npx tsx scripts/gen-scenario-schema.ts`).
 */
export const FAULT_TYPES: readonly AnyFaultType[] = [
  // one entry per file in types/
  appLatency,
  appErrorRate,
  appCpuBurn,
  appMemoryLeak,
  appDependencyUnreachable,
  podKill,
  crashLoop,
  envOverride,
  memoryLimit,
  scaleToZero,
  configCorruption,
  redisMaxmemory,
  redisAuthChange,
  // kubernetes-only faults, group A: entries
  // kubernetes-only faults, group B: entries
  // kubernetes-only faults, group C: entries
  // kubernetes-only faults, group D: entries
];

/** A fresh registry holding the shipped catalog (fresh so a caller that registers more cannot leak). */
export function defaultCatalog(): FaultRegistry {
  return new FaultRegistry(FAULT_TYPES);
}
