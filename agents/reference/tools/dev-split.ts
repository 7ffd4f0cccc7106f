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
