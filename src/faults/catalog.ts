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
// PostgreSQL and queue faults: imports
import { dbConnectionLimit } from './types/db-connection-limit.js';
import { dbReadOnly } from './types/db-read-only.js';
import { dbLockHeld } from './types/db-lock-held.js';
import { dbSlowQuery } from './types/db-slow-query.js';
import { queuePoisonMessage } from './types/queue-poison-message.js';
import { dbPoolExhaustion } from './types/db-pool-exhaustion.js';
import { queueConsumerStall } from './types/queue-consumer-stall.js';
// kubernetes-only faults, group A: imports
import { imageNotFound } from './types/image-not-found.js';
import { readinessProbeMisconfig } from './types/readiness-probe-misconfig.js';
import { livenessProbeMisconfig } from './types/liveness-probe-misconfig.js';
import { livenessAsksReadiness } from './types/liveness-asks-readiness.js';
import { cpuLimitThrottle } from './types/cpu-limit-throttle.js';
// kubernetes-only faults, group B: imports
import { initContainerCrash } from './types/init-container-crash.js';
import { initContainerHang } from './types/init-container-hang.js';
import { dnsMisconfig } from './types/dns-misconfig.js';
import { nodeSelectorMismatch } from './types/node-selector-mismatch.js';
// kubernetes-only faults, group C: imports
import { serviceTargetPort } from './types/service-target-port.js';
import { serviceSelectorMismatch } from './types/service-selector-mismatch.js';
import { networkPolicyDeny } from './types/network-policy-deny.js';
import { secretCorruption } from './types/secret-corruption.js';
import { secretDeleted } from './types/secret-deleted.js';
// kubernetes-only faults, group D: imports
import { limitRangeRefused } from './types/limit-range-refused.js';
import { resourceQuotaExhausted } from './types/resource-quota-exhausted.js';
import { nodeCordon } from './types/node-cordon.js';
import { pvcMissing } from './types/pvc-missing.js';
import { hpaMisconfig } from './types/hpa-misconfig.js';
// network and resource chaos: imports
import { networkDelay } from './types/network-delay.js';
import { networkLoss } from './types/network-loss.js';
import { networkCorrupt } from './types/network-corrupt.js';
import { networkBandwidth } from './types/network-bandwidth.js';
import { networkPartition } from './types/network-partition.js';
import { dnsFailure } from './types/dns-failure.js';
import { cpuStress } from './types/cpu-stress.js';
import { memoryStress } from './types/memory-stress.js';
import { ioLatency } from './types/io-latency.js';
import { clockSkew } from './types/clock-skew.js';

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
  // PostgreSQL and queue faults: entries
  dbConnectionLimit,
  dbReadOnly,
  dbLockHeld,
  dbSlowQuery,
  queuePoisonMessage,
  dbPoolExhaustion,
  queueConsumerStall,
  // a latent condition (a scenario's precondition): entries
  livenessAsksReadiness,
  // kubernetes-only faults, group A: entries
  imageNotFound,
  readinessProbeMisconfig,
  livenessProbeMisconfig,
  cpuLimitThrottle,
  // kubernetes-only faults, group B: entries
  initContainerCrash,
  initContainerHang,
  dnsMisconfig,
  nodeSelectorMismatch,
  // kubernetes-only faults, group C: entries
  serviceTargetPort,
  serviceSelectorMismatch,
  networkPolicyDeny,
  secretCorruption,
  secretDeleted,
  // kubernetes-only faults, group D: entries
  resourceQuotaExhausted,
  limitRangeRefused,
  nodeCordon,
  pvcMissing,
  hpaMisconfig,
  // network and resource chaos: entries
  networkDelay,
  networkLoss,
  networkCorrupt,
  networkBandwidth,
  networkPartition,
  dnsFailure,
  cpuStress,
  memoryStress,
  ioLatency,
  clockSkew,
];

/** A fresh registry holding the shipped catalog (fresh so a caller that registers more cannot leak). */
export function defaultCatalog(): FaultRegistry {
  return new FaultRegistry(FAULT_TYPES);
}
