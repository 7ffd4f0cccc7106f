import { createHash } from 'node:crypto';

/**
 * The development split (agents/reference/README.md): the agent is tuned on DEV scenarios only and
 * reported separately on HELD_OUT. Kubernetes-only scenarios have no local bundles; they are listed so the
 * split covers every shipped scenario.
 */
export const DEV = [
  'cart-memory-leak',
  'catalog-errors-during-debug-logging',
  'checkout-payment-unreachable',
  'currency-crash-loop',
  'payment-latency',
  'redis-password-rotated',
  'shipping-scaled-to-zero',
  'cart-liveness-port-wrong',
  'cart-redis-secret-trailing-newline',
  'catalog-missing-volume-claim',
  'checkout-image-tag-missing',
  'frontend-autoscaler-cap',
  'payment-port-change-with-shipping-limits',
  'shipping-quota-refused',
  'shipping-service-selects-v2',
];

export const HELD_OUT = [
  'cart-catalog-url-typo',
  'catalog-error-rate',
  'currency-cpu-burn',
  'payment-config-truncated',
  'payment-memory-limit',
  'redis-out-of-memory',
  'shipping-pod-kill',
  'cart-waits-for-database',
  'catalog-readiness-path-wrong',
  'checkout-migration-step-fails',
  'currency-ingress-allow-list',
  'frontend-cpu-limit-too-low',
  'frontend-dead-resolver',
  'payment-service-port-mismatch',
  'shipping-pinned-to-missing-nodes',
  'workers-cordoned',
];

/**
 * The side of any scenario: the lists above for the first scenarios (split by hand), else the first hex
 * digit of the sha256 of its id, even → dev, so a new scenario's side is fixed before anyone sees how the
 * agent does on it.
 */
export function splitOf(scenarioId: string): 'dev' | 'held-out' {
  if (DEV.includes(scenarioId)) return 'dev';
  if (HELD_OUT.includes(scenarioId)) return 'held-out';
  const first = parseInt(createHash('sha256').update(scenarioId).digest('hex')[0] ?? '0', 16);
  return first % 2 === 0 ? 'dev' : 'held-out';
}
