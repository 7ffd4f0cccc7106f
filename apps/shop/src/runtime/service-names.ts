/** Every process the single entry point can become. */
export const SERVICE_NAMES = [
  'frontend',
  'catalog',
  'cart',
  'checkout',
  'payment',
  'shipping',
  'currency',
  'flags',
  'loadgen',
] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/** Services other shop services call over HTTP (each has a `<NAME>_URL` env var). */
export const HTTP_DEPENDENCIES = ['catalog', 'cart', 'checkout', 'payment', 'shipping', 'currency'] as const;
export type HttpDependency = (typeof HTTP_DEPENDENCIES)[number];

/** Anything a service calls: the HTTP services plus Redis (cart only). */
export type DependencyName = HttpDependency | 'redis';

/** The call graph: who calls whom. loadgen calls frontend through TARGET_URL, which is not a dependency. */
export const DEPENDENCIES_OF: Readonly<Record<ServiceName, readonly DependencyName[]>> = {
  frontend: ['catalog', 'cart', 'checkout', 'currency'],
  catalog: [],
  cart: ['redis', 'catalog'],
  checkout: ['cart', 'payment', 'shipping', 'currency'],
  payment: [],
  shipping: [],
  currency: [],
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
export const JOB_NAMES = ['catalog-sync', 'cart-cleanup'] as const;
export type JobName = (typeof JOB_NAMES)[number];

/** What a batch job talks to, like DEPENDENCIES_OF for the services. */
export const JOB_DEPENDENCIES: Readonly<Record<JobName, readonly DependencyName[]>> = {
  'catalog-sync': ['catalog'],
  'cart-cleanup': ['redis'],
};

export function isJobName(s: string): s is JobName {
  return (JOB_NAMES as readonly string[]).includes(s);
}

/** Anything the entry point can run: a service or a batch job. */
export type ProcessName = ServiceName | JobName;
