import { UNREACHABLE_DEPENDENCIES } from '../faults/types/app-dependency-unreachable.js';
import { BUSINESS_LIMIT_KEYS } from '../faults/types/config-corruption.js';

/**
 * Wrong but valid values of each business limit, inside its alerting range (config-corruption's
 * BUSINESS_LIMITS): a sandbox's charge limit, a limit in the wrong unit, a promotion's per-order cap, a
 * 0 meant as "no limit".
 */
const BUSINESS_LIMIT_VALUES: Readonly<Record<string, readonly number[]>> = {
  providerLimitUsd: [60, 75, 80, 100],
  maxUnitsPerOrder: [2, 3],
  maxItems: [0],
};
import { ORDER_EVENT_PRODUCERS, ORDER_STREAM_CONSUMERS } from '../faults/support/order-stream.js';
import type { SeededRandom } from '../util/seeded-random.js';
import type { AppModel, AppWorkload } from './app-model.js';

/** How the generator uses one fault type: which entities it may target and how its params are drawn. */
export interface Recipe {
  /** The fault type id (`firedrill faults`). */
  type: string;
  /** Workloads it may act on, or through (the target is derived by `target`). */
  eligible(app: AppModel): AppWorkload[];
  /** The entity id the fault targets for a workload. */
  target(w: AppWorkload, app: AppModel): string;
  /** Params drawn within the type's documented ranges, strong enough to raise its alerts. */
  params(rng: SeededRandom, w: AppWorkload, app: AppModel): Record<string, unknown>;
  /** Whether the symptom shows only a while after the change (leaks): the run waits longer. */
  slow?: boolean;
  /** Partial failures (a share of requests, one route) for the `partial` pattern. */
  partial?: (rng: SeededRandom, w: AppWorkload, app: AppModel) => Record<string, unknown>;
  /** A valid but wrong value, for the `wrong-value` pattern. */
  wrongValue?: boolean;
  /**
   * A fault on the link between two workloads: its caller (`from`) is an alias of the root cause, or a
   * root cause itself, so the distractor pattern (whose ground truth names the target alone) skips it.
   */
  link?: boolean;
  /** A neighbour using the target's own budget (CPU, memory), for the `noisy-neighbour` pattern. */
  neighbour?: boolean;
  /**
   * Params that take the target out of service entirely (no ready pod, no connection taken), for the
   * `latent-condition` pattern: what fails every readiness check that asks for it.
   */
  outage?: (rng: SeededRandom, w: AppWorkload, app: AppModel) => Record<string, unknown>;
}

const services = (app: AppModel): AppWorkload[] => app.workloads.filter((w) => w.service !== undefined);
/**
 * Services that serve HTTP requests: not the order stream's consumers, which read their work from the stream,
 * so an HTTP error share or delay there has no requests to act on and its alerts cannot fire.
 */
const httpServices = (app: AppModel): AppWorkload[] =>
  services(app).filter((w) => !ORDER_STREAM_CONSUMERS.includes(w.service ?? ''));
/** The services `w` calls over HTTP: not the data stores (Redis, PostgreSQL) it holds connections to. */
const httpCalls = (app: AppModel, w: AppWorkload): string[] =>
  w.calls.filter((c) => {
    const callee = app.workloads.find((x) => x.name === c);
    return callee !== undefined && !callee.isRedis && !callee.isPostgres;
  });
const deployment = (w: AppWorkload, app: AppModel): string => `${app.namespace}/Deployment/${w.name}`;
/** The calls app-dependency-unreachable can cut (not inventory or postgres, say). */
const cuttable = (w: AppWorkload): string[] =>
  w.calls.filter((c) => (UNREACHABLE_DEPENDENCIES as readonly string[]).includes(c));
/** Workloads of the shop's services that call `w` (the `from` end of a link fault to it). */
const callersOf = (app: AppModel, w: AppWorkload): AppWorkload[] =>
  services(app).filter((c) => c.name !== w.name && c.calls.includes(w.name));
const linkTargets = (app: AppModel): AppWorkload[] =>
  app.workloads.filter((w) => callersOf(app, w).length > 0);
const caller = (rng: SeededRandom, w: AppWorkload, app: AppModel): string => rng.pick(callersOf(app, w)).name;
/** `x` to the nearest `step`, without binary fractions left over (0.85, not 0.8500000000000001). */
const round = (x: number, step: number): number => Number((Math.round(x / step) * step).toFixed(6));
const MIB = 1024 * 1024;

/**
 * The recipes for the fault types the generator composes. Values are within each type's schema and
 * strong enough to cross the alert thresholds of manifests/rules (5 % errors, 500 ms p95...), as the
 * shipped scenarios found them.
 */
export const RECIPES: readonly Recipe[] = [
  {
    type: 'app-latency',
    eligible: httpServices,
    target: deployment,
    params: (rng) => ({ delayMs: round(rng.between(900, 2000), 50) }),
    partial: (rng) => ({
      delayMs: round(rng.between(1200, 2500), 50),
      probability: round(rng.between(0.2, 0.35), 0.05),
    }),
  },
  {
    type: 'app-error-rate',
    eligible: httpServices,
    target: deployment,
    params: (rng) => ({ fraction: round(rng.between(0.3, 0.8), 0.05), status: rng.pick([500, 503]) }),
    partial: (rng) => ({ fraction: round(rng.between(0.1, 0.2), 0.01), status: 500 }),
  },
  {
    type: 'app-cpu-burn',
    eligible: services,
    target: deployment,
    params: (rng) => ({ fraction: round(rng.between(0.85, 0.95), 0.05) }),
  },
  {
    type: 'app-memory-leak',
    eligible: services,
    target: deployment,
    params: (rng) => ({ mbPerMinute: round(rng.between(40, 80), 5) }),
    slow: true,
  },
  {
    type: 'app-dependency-unreachable',
    eligible: (app) => services(app).filter((w) => cuttable(w).length > 0),
    target: deployment,
    params: (rng, w) => ({ dependency: rng.pick(cuttable(w)) }),
  },
  {
    type: 'env-override',
    eligible: (app) => services(app).filter((w) => w.calls.some((c) => c !== 'redis')),
    target: deployment,
    // A URL that resolves but points at the wrong port: the caller's calls are refused.
    params: (rng, w) => {
      const dep = rng.pick(w.calls.filter((c) => c !== 'redis'));
      return { name: `${dep.toUpperCase()}_URL`, value: `http://${dep}:${rng.pick([8081, 8088, 9090])}` };
    },
    wrongValue: true,
  },
  {
    type: 'config-corruption',
    eligible: (app) =>
      services(app).filter((w) => w.configMap !== undefined && w.calls.some((c) => c !== 'redis')),
    target: (w, app) => `${app.namespace}/ConfigMap/${w.configMap ?? ''}`,
    // A valid value that is wrong: a timeout shorter than the HTTP callee ever answers in.
    params: (rng, w) => ({
      mode: 'set',
      path: `timeoutsMs.${rng.pick(w.calls.filter((c) => c !== 'redis'))}`,
      value: rng.int(1, 3),
    }),
    wrongValue: true,
  },
  {
    type: 'config-corruption',
    eligible: (app) =>
      services(app).filter(
        (w) => w.configMap !== undefined && w.configKeys.some((k) => BUSINESS_LIMIT_KEYS.includes(k)),
      ),
    target: (w, app) => `${app.namespace}/ConfigMap/${w.configMap ?? ''}`,
    // A business limit lowered to a value that is valid but refuses a large share of orders (a sandbox's
    // limit, a figure in the wrong unit): nothing fails, checkout's orders are refused with a 4xx.
    params: (rng, w) => {
      const path = rng.pick(w.configKeys.filter((k) => BUSINESS_LIMIT_KEYS.includes(k)));
      return { mode: 'set', path, value: rng.pick(BUSINESS_LIMIT_VALUES[path] ?? []) };
    },
    wrongValue: true,
    // The refused share needs a minute to pass a quarter of the orders and the alert another minute.
    slow: true,
  },
  {
    type: 'crash-loop',
    eligible: services,
    target: deployment,
    params: () => ({}),
  },
  {
    type: 'memory-limit',
    eligible: services,
    target: deployment,
    params: (rng) => ({ limit: `${rng.int(32, 40)}Mi` }),
  },
  {
    type: 'scale-to-zero',
    eligible: (app) => services(app).filter((w) => (app.depth.get(w.name) ?? 0) > 0),
    target: deployment,
    params: () => ({}),
    outage: () => ({}),
  },
  {
    type: 'redis-maxmemory',
    eligible: (app) => app.workloads.filter((w) => w.isRedis),
    target: deployment,
    params: (rng) => ({ maxmemory: rng.pick(['256kb', '512kb', '1mb']), policy: 'noeviction' }),
  },
  {
    type: 'redis-auth-change',
    eligible: (app) => app.workloads.filter((w) => w.isRedis),
    target: deployment,
    params: () => ({}),
    // Every client's connection is dropped and none is taken again: a PING of it fails too.
    outage: () => ({}),
  },
  {
    type: 'db-connection-limit',
    eligible: (app) => app.workloads.filter((w) => w.isPostgres),
    target: deployment,
    // Below what any one service's pool holds, so every service is refused some of the time.
    params: (rng) => ({ limit: rng.int(1, 3) }),
    // None at all: inventory's readiness query cannot get a connection either.
    outage: () => ({ limit: 0 }),
  },
  {
    type: 'db-read-only',
    eligible: (app) => app.workloads.filter((w) => w.isPostgres),
    target: deployment,
    params: () => ({}),
  },
  {
    type: 'db-lock-held',
    eligible: (app) => app.workloads.filter((w) => w.isPostgres),
    target: deployment,
    params: (rng) => ({
      table: rng.pick(['stock', 'orders', 'reservations', 'ledger']),
      mode: rng.pick(['SHARE', 'SHARE', 'EXCLUSIVE']),
    }),
  },
  {
    type: 'queue-poison-message',
    eligible: (app) =>
      services(app).filter(
        (w) => w.configMap !== undefined && ORDER_EVENT_PRODUCERS.includes(w.service ?? ''),
      ),
    target: deployment,
    params: () => ({}),
  },
  {
    type: 'network-delay',
    eligible: linkTargets,
    target: deployment,
    // Beyond the p95 alert's 500 ms at the caller, short of most callers' timeouts.
    params: (rng, w, app) => ({
      from: caller(rng, w, app),
      latencyMs: round(rng.between(600, 1000), 50),
      jitterMs: round(rng.between(50, 150), 10),
    }),
    link: true,
  },
  {
    type: 'network-loss',
    eligible: linkTargets,
    target: deployment,
    params: (rng, w, app) => ({ from: caller(rng, w, app), percent: round(rng.between(35, 60), 5) }),
    // TCP resends what is lost: from 30 % on, one call in eleven waits 600 ms or more, past the p95 alert.
    partial: (rng, w, app) => ({ from: caller(rng, w, app), percent: 30 }),
    link: true,
  },
  {
    type: 'network-partition',
    eligible: linkTargets,
    target: deployment,
    params: (rng, w, app) => ({ from: caller(rng, w, app) }),
    link: true,
  },
  {
    type: 'network-corrupt',
    eligible: linkTargets,
    target: deployment,
    params: (rng, w, app) => ({ from: caller(rng, w, app), percent: round(rng.between(35, 50), 5) }),
    link: true,
  },
  {
    // Only the product list is large enough (several KiB) for a throttled link to push a p95 past 500 ms;
    // other answers are a few hundred bytes and pass a few KiB/s unnoticed.
    type: 'network-bandwidth',
    eligible: (app) => app.workloads.filter((w) => w.service === 'catalog' && callersOf(app, w).length > 0),
    target: deployment,
    params: (rng, w, app) => ({
      from: callersOf(app, w).some((c) => c.service === 'frontend') ? 'frontend' : caller(rng, w, app),
      rate: `${rng.int(1, 2)}kbps`,
    }),
    link: true,
  },
  {
    // A CPU limit the neighbour can fill: the container then runs at its limit (ShopContainerCPUNearLimit).
    type: 'cpu-stress',
    eligible: (app) => services(app).filter((w) => (w.cpuLimit ?? 0) > 0 && (w.cpuLimit ?? 0) <= 1),
    target: deployment,
    params: (rng) => ({ workers: 1, load: round(rng.between(90, 100), 5) }),
    neighbour: true,
  },
  {
    // 42-50 % of the limit on top of a service's own ~45 %: past the 80 % alert, short of the limit
    // (which the fault refuses: that would be an OOM kill, `memory-limit`'s incident).
    type: 'memory-stress',
    eligible: (app) => services(app).filter((w) => (w.memoryLimit ?? 0) >= 128 * MIB),
    target: deployment,
    params: (rng, w) => ({ sizeMiB: Math.floor(((w.memoryLimit ?? 0) / MIB) * rng.between(0.42, 0.5)) }),
    neighbour: true,
  },
  {
    // Only calls over HTTP, whose connections the callers recycle (a bounded lifetime): a Redis or
    // PostgreSQL client keeps its connections open, so a name that stops resolving changes nothing until
    // one reconnects, and the declared alert would not fire (session 20's generated set: cart → redis).
    type: 'dns-failure',
    eligible: (app) => services(app).filter((w) => httpCalls(app, w).length > 0),
    target: deployment,
    params: (rng, w, app) => ({ name: rng.pick(httpCalls(app, w)) }),
  },
  {
    type: 'db-slow-query',
    eligible: (app) => app.workloads.filter((w) => w.isPostgres),
    target: deployment,
    params: () => ({}),
  },
  {
    // Only inventory's pool (the busiest: every product page and every order) drains within a run at
    // the generator's load; the consumers' pools would take longer than its timeout.
    type: 'db-pool-exhaustion',
    eligible: (app) => services(app).filter((w) => w.service === 'inventory'),
    target: deployment,
    params: (rng) => ({ leakFraction: round(rng.between(0.02, 0.04), 0.01) }),
    slow: true,
  },
  {
    type: 'queue-consumer-stall',
    eligible: (app) => services(app).filter((w) => ORDER_STREAM_CONSUMERS.includes(w.service ?? '')),
    target: deployment,
    params: () => ({}),
    slow: true,
  },
];

export function recipeFor(type: string): Recipe | undefined {
  return RECIPES.find((r) => r.type === type);
}
