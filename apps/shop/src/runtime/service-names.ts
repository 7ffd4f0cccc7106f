/** Every process the single entry point can become. */
export const SERVICE_NAMES = [
  'frontend',
  'catalog',
  'cart',
  'checkout',
  'payment',
  'shipping',
  'currency',
  'inventory',
  'accounting',
  'fulfillment',
  'flags',
  'loadgen',
] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/** Services other shop services call over HTTP (each has a `<NAME>_URL` env var). */
export const HTTP_DEPENDENCIES = [
  'catalog',
  'cart',
  'checkout',
  'payment',
  'shipping',
  'currency',
  'inventory',
] as const;
export type HttpDependency = (typeof HTTP_DEPENDENCIES)[number];

/** Data stores a service talks to with its own protocol. */
export const STORE_DEPENDENCIES = ['redis', 'postgres'] as const;
export type StoreDependency = (typeof STORE_DEPENDENCIES)[number];

/** Anything a service calls: the HTTP services, Redis (carts, the order stream) and PostgreSQL. */
export type DependencyName = HttpDependency | StoreDependency;

/** The call graph: who calls whom. loadgen calls frontend through TARGET_URL, which is not a dependency. */
export const DEPENDENCIES_OF: Readonly<Record<ServiceName, readonly DependencyName[]>> = {
  frontend: ['catalog', 'cart', 'checkout', 'currency'],
  catalog: ['inventory'],
  cart: ['redis', 'catalog'],
  checkout: ['cart', 'inventory', 'payment', 'shipping', 'currency', 'postgres', 'redis'],
  payment: [],
  shipping: [],
  currency: [],
  inventory: ['postgres'],
  // the order stream's consumers: Redis for the stream, PostgreSQL for their own tables
  accounting: ['redis', 'postgres'],
  fulfillment: ['redis', 'postgres'],
  flags: [],
  loadgen: [],
};

/**
 * What each service's /readyz checks (the keys of its `readiness`): an HTTP dependency's /healthz, a data
 * store's PING or query. Not everything it calls: frontend leaves out currency (only its conversion
 * route calls it), catalog its inventory (a product page renders without stock), cart its catalog,
 * checkout PostgreSQL. docs/shop.md lists them; the shop's integration test holds each /readyz to this
 * table, and `firedrill generate` reads it for what an outage leaves not ready.
 */
export const READINESS_CHECKS_OF: Readonly<Record<ServiceName, readonly DependencyName[]>> = {
  frontend: ['catalog', 'cart', 'checkout'],
  catalog: [],
  cart: ['redis'],
  checkout: ['cart', 'payment', 'shipping', 'currency', 'inventory'],
  payment: [],
  shipping: [],
  currency: [],
  inventory: ['postgres'],
  accounting: ['redis', 'postgres'],
  fulfillment: ['redis', 'postgres'],
  flags: [],
  loadgen: [],
};

export function isServiceName(s: string): s is ServiceName {
  return (SERVICE_NAMES as readonly string[]).includes(s);
}

/**
 * Run-to-completion modes of the same entry point, run as Kubernetes Jobs: they do their work, exit 0, or
 * exit 1 after one error line. They serve no port (nothing to probe or scrape while they run).
 */
export const JOB_NAMES = ['catalog-sync', 'cart-cleanup', 'db-migrate'] as const;
export type JobName = (typeof JOB_NAMES)[number];

/** What a batch job talks to, like DEPENDENCIES_OF for the services. */
export const JOB_DEPENDENCIES: Readonly<Record<JobName, readonly DependencyName[]>> = {
  'catalog-sync': ['catalog'],
  'cart-cleanup': ['redis'],
  'db-migrate': ['postgres'],
};

export function isJobName(s: string): s is JobName {
  return (JOB_NAMES as readonly string[]).includes(s);
}

/** Anything the entry point can run: a service or a batch job. */
export type ProcessName = ServiceName | JobName;
