import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { DEFAULT_RATES, isKnownCurrency } from '../data/currencies.js';
import { DEFAULT_MIX, normalizeMix, parseMix, type JourneyMix } from '../loadgen/plan.js';
import { DEFAULT_LOAD_VARIATION } from '../loadgen/rate-profile.js';
import { ConfigError } from './config-error.js';
import { DEFAULT_CONNECTION_MAX_AGE_MS } from './connection-agent.js';
import type { ShopEnv } from './env.js';
import {
  HTTP_DEPENDENCIES,
  STORE_DEPENDENCIES,
  type DependencyName,
  type HttpDependency,
  type ProcessName,
} from './service-names.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Everything a service runs with: defaults, then the config file, then env (env wins). */
export interface ShopConfig {
  service: ProcessName;
  port: number;
  logLevel: LogLevel;
  /** Inbound requests slower than this are logged at warn (`slow request`). */
  slowRequestMs: number;
  /** Kept-alive connections to dependencies are retired after this long (0: reused for ever). */
  connectionMaxAgeMs: number;
  podName?: string;
  podNamespace?: string;
  otlpTracesEndpoint?: string;
  flagsUrl?: string;
  flagsPollMs: number;
  /** Base URL of every HTTP dependency (no trailing slash). */
  dependencies: Record<HttpDependency, string>;
  /** Per-call timeout towards each dependency, ms. */
  timeoutsMs: Record<DependencyName, number>;
  /** Extra attempts after a failed call (see http-client.ts for which failures are retried). */
  retries: Record<DependencyName, number>;
  catalog: { cacheTtlSeconds: number; storeLatencyMs: number };
  cart: {
    maxItems: number;
    cartTtlSeconds: number;
    productCacheTtlSeconds: number;
    redis: { host: string; port: number; password?: string; db: number };
  };
  /** PostgreSQL: where (libpq's PG* variables) and how the service's connection pool behaves. */
  db: DbConfig;
  /** The Redis stream checkout publishes placed orders to and accounting/fulfillment consume. */
  orderStream: string;
  /**
   * The shape of checkout's `order.placed` payload: v1 flat (what accounting and fulfillment read), v2 nested
   * (`order`, `amount`), prepared for consumers that do not exist yet.
   */
  orderEventFormat: 'v1' | 'v2';
  payment: { providerLimitUsd: number; providerLatencyMs: number };
  /** Units one order may reserve in all: a bulk-buying rule; larger orders are refused (422). */
  inventory: { maxUnitsPerOrder: number };
  shipping: { baseCostUsd: number; perItemUsd: number; quoteLatencyMs: number };
  currency: { rates: Record<string, number> };
  frontend: { defaultCurrency: string };
  flags: { maxAuditEntries: number };
  loadgen: {
    targetUrl: string;
    rps: number;
    seed: number;
    mix: JourneyMix;
    requestTimeoutMs: number;
    maxInFlight: number;
    /** Largest relative swing of the journey rate around `rps` (0 = flat). */
    variation: number;
    journeys?: number;
    durationS?: number;
  };
  catalogSync: { rps: number };
  cartCleanup: { staleAfterSeconds: number; fixMissingExpiry: boolean };
}

export interface DbConfig {
  host: string;
  port: number;
  user: string;
  password?: string;
  database: string;
  /** Most connections the pool opens; further queries wait for one to be released. */
  poolMax: number;
  /** How long a query waits for a pooled connection before failing (pool exhausted). */
  acquireTimeoutMs: number;
  /** The server cancels a statement that runs longer (statement_timeout); 0: never. */
  statementTimeoutMs: number;
  /** An idle pooled connection is closed after this long. */
  idleTimeoutMs: number;
  /** Queries slower than this are logged at warn (`slow query`). */
  slowQueryMs: number;
}

const DEFAULT_TIMEOUT_MS = 2000;
/**
 * Half the latency alert's threshold (p95 > 500 ms): a brief slowdown shows up as warnings in the logs well
 * before, or without, an alert.
 */
export const DEFAULT_SLOW_REQUEST_MS = 250;
/** frontend → checkout covers a whole order (cart, quote, conversion, payment, shipment), so it gets longer. */
const DEFAULT_TIMEOUTS: Partial<Record<ProcessName, Partial<Record<DependencyName, number>>>> = {
  frontend: { checkout: 8000 },
  cart: { redis: 1000 },
  'cart-cleanup': { redis: 1000 },
};

const positiveInt = z.number().int().positive();
const nonNegative = z.number().min(0);
const currencyCode = z.string().refine((c) => isKnownCurrency(c), {
  error: (iss) => `unknown currency code ${JSON.stringify(iss.input)}`,
});
const dependencyKey = z.enum([...HTTP_DEPENDENCIES, ...STORE_DEPENDENCIES]);

const commonShape = {
  logLevel: z.enum(LOG_LEVELS).optional(),
  port: z.number().int().min(0).max(65535).optional(),
  dependencies: z.partialRecord(z.enum(HTTP_DEPENDENCIES), z.url({ protocol: /^https?$/ })).optional(),
  timeoutsMs: z.partialRecord(dependencyKey, positiveInt).optional(),
  retries: z.partialRecord(dependencyKey, z.number().int().min(0).max(5)).optional(),
  slowRequestMs: positiveInt.optional(),
  connectionMaxAgeMs: z.number().int().min(0).optional(),
};

const redisShape = z
  .object({
    host: z.string().min(1).optional(),
    port: z.number().int().min(1).max(65535).optional(),
    db: z.number().int().min(0).max(15).optional(),
  })
  .optional();

const dbShape = z
  .object({
    host: z.string().min(1).optional(),
    port: z.number().int().min(1).max(65535).optional(),
    database: z.string().min(1).optional(),
    poolMax: z.number().int().min(1).max(100).optional(),
    acquireTimeoutMs: positiveInt.optional(),
    statementTimeoutMs: z.number().int().min(0).optional(),
    idleTimeoutMs: positiveInt.optional(),
    slowQueryMs: positiveInt.optional(),
  })
  .optional();

/** The keys a `<service>-config` ConfigMap may carry, per service (docs/shop.md lists them with failure modes). */
export const CONFIG_FILE_SCHEMAS = {
  frontend: z.object({ ...commonShape, defaultCurrency: currencyCode.optional() }),
  catalog: z.object({
    ...commonShape,
    cacheTtlSeconds: nonNegative.optional(),
    storeLatencyMs: nonNegative.optional(),
  }),
  cart: z.object({
    ...commonShape,
    maxItems: z.number().int().min(0).optional(),
    cartTtlSeconds: positiveInt.optional(),
    productCacheTtlSeconds: nonNegative.optional(),
    redis: redisShape,
  }),
  checkout: z.object({
    ...commonShape,
    db: dbShape,
    orderStream: z.string().min(1).optional(),
    orderEventFormat: z.enum(['v1', 'v2']).optional(),
  }),
  inventory: z.object({
    ...commonShape,
    db: dbShape,
    maxUnitsPerOrder: positiveInt.optional(),
  }),
  accounting: z.object({ ...commonShape, db: dbShape, orderStream: z.string().min(1).optional() }),
  fulfillment: z.object({ ...commonShape, db: dbShape, orderStream: z.string().min(1).optional() }),
  payment: z.object({
    ...commonShape,
    providerLimitUsd: nonNegative.optional(),
    providerLatencyMs: nonNegative.optional(),
  }),
  shipping: z.object({
    ...commonShape,
    baseCostUsd: nonNegative.optional(),
    perItemUsd: nonNegative.optional(),
    quoteLatencyMs: nonNegative.optional(),
  }),
  currency: z.object({
    ...commonShape,
    rates: z
      .record(z.string(), z.number().positive())
      .superRefine((rates, ctx) => {
        for (const code of Object.keys(rates)) {
          if (!isKnownCurrency(code))
            ctx.addIssue({ code: 'custom', message: `unknown currency code "${code}"`, path: [code] });
        }
        if (rates.USD !== 1)
          ctx.addIssue({ code: 'custom', message: 'must include the base currency "USD" with rate 1' });
      })
      .optional(),
  }),
  flags: z.object({ ...commonShape, maxAuditEntries: positiveInt.optional() }),
  loadgen: z.object({
    ...commonShape,
    targetUrl: z.url({ protocol: /^https?$/ }).optional(),
    rps: z.number().positive().max(1000).optional(),
    seed: z.number().int().optional(),
    mix: z.record(z.string(), z.number()).optional(),
    requestTimeoutMs: positiveInt.optional(),
    maxInFlight: positiveInt.optional(),
    variation: z.number().min(0).max(0.5).optional(),
  }),
  'catalog-sync': z.object({
    ...commonShape,
    syncRps: z.number().positive().max(1000).optional(),
  }),
  'db-migrate': z.object({ ...commonShape, db: dbShape }),
  'cart-cleanup': z.object({
    ...commonShape,
    redis: redisShape,
    /** The expiry given to a cart found without one: the cart service's own cartTtlSeconds. */
    cartTtlSeconds: positiveInt.optional(),
    staleAfterSeconds: positiveInt.optional(),
    fixMissingExpiry: z.boolean().optional(),
  }),
} as const;

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let cur = input;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

function describeIssue(issue: z.core.$ZodIssue, input: unknown): string {
  const path = issue.path.map(String).join('.') || '(root)';
  const got = valueAt(input, issue.path);
  const shown =
    got === undefined || typeof got === 'object' || issue.code === 'custom'
      ? ''
      : ` (got ${JSON.stringify(got)})`;
  return `${path}: ${issue.message}${shown}`;
}

export interface LoadedConfig {
  config: ShopConfig;
  /** Keys of the file the service does not know; logged as warnings, not fatal (an old ConfigMap is common). */
  unknownKeys: string[];
}

export type ReadTextFile = (path: string) => string;

/** Resolves the service's configuration. Throws ConfigError with one readable sentence on any bad value. */
export function loadConfig(
  env: ShopEnv,
  readText: ReadTextFile = (p) => readFileSync(p, 'utf8'),
): LoadedConfig {
  const service = env.service;
  let raw: unknown = {};
  if (env.configFile !== undefined) {
    let text: string;
    try {
      text = readText(env.configFile);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
      throw new ConfigError(`cannot read config file ${env.configFile}: ${code}`);
    }
    try {
      raw = JSON.parse(text);
    } catch (err) {
      throw new ConfigError(
        `invalid configuration in ${env.configFile}: not valid JSON (${(err as Error).message})`,
      );
    }
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      throw new ConfigError(`invalid configuration in ${env.configFile}: expected a JSON object`);
    }
  }
  const schema = CONFIG_FILE_SCHEMAS[service];
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`invalid configuration in ${env.configFile}: ${describeIssue(issue, raw)}`);
  }
  const known = new Set(Object.keys(schema.shape));
  const unknownKeys = Object.keys(raw as object).filter((k) => !known.has(k));
  // Validated above against this service's schema; resolve() reads the keys it knows.
  return { config: resolve(env, service, parsed.data as Record<string, unknown>), unknownKeys };
}

function pick<T>(file: Record<string, unknown>, key: string, fallback: T): T {
  const v = file[key];
  return v === undefined ? fallback : (v as T);
}

function resolve(env: ShopEnv, service: ProcessName, file: Record<string, unknown>): ShopConfig {
  const fileDeps = (file.dependencies ?? {}) as Partial<Record<HttpDependency, string>>;
  const dependencies = {} as Record<HttpDependency, string>;
  for (const dep of HTTP_DEPENDENCIES) {
    dependencies[dep] = (env.dependencyUrls[dep] ?? fileDeps[dep] ?? `http://${dep}:8080`).replace(
      /\/+$/,
      '',
    );
  }
  const fileTimeouts = (file.timeoutsMs ?? {}) as Partial<Record<DependencyName, number>>;
  const fileRetries = (file.retries ?? {}) as Partial<Record<DependencyName, number>>;
  const timeoutsMs = {} as Record<DependencyName, number>;
  const retries = {} as Record<DependencyName, number>;
  for (const dep of [...HTTP_DEPENDENCIES, ...STORE_DEPENDENCIES] as const) {
    timeoutsMs[dep] = fileTimeouts[dep] ?? DEFAULT_TIMEOUTS[service]?.[dep] ?? DEFAULT_TIMEOUT_MS;
    retries[dep] = fileRetries[dep] ?? 1;
  }
  let logLevel = pick<LogLevel>(file, 'logLevel', 'info');
  if (env.logLevel !== undefined) {
    if (!(LOG_LEVELS as readonly string[]).includes(env.logLevel)) {
      throw new ConfigError(
        `invalid environment: LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${env.logLevel}")`,
      );
    }
    logLevel = env.logLevel as LogLevel;
  }
  const redisFile = (file.redis ?? {}) as { host?: string; port?: number; db?: number };
  const dbFile = (file.db ?? {}) as Partial<DbConfig>;
  let mix: JourneyMix = DEFAULT_MIX;
  try {
    if (env.loadMix !== undefined) mix = parseMix(env.loadMix);
    else if (file.mix !== undefined) mix = normalizeMix(file.mix as Record<string, unknown>);
  } catch (err) {
    const where =
      env.loadMix !== undefined
        ? 'invalid environment: LOAD_MIX'
        : `invalid configuration in ${env.configFile}: mix`;
    throw new ConfigError(`${where}: ${(err as Error).message}`);
  }
  const config: ShopConfig = {
    service,
    port: env.port ?? pick(file, 'port', 8080),
    logLevel,
    slowRequestMs: pick(file, 'slowRequestMs', DEFAULT_SLOW_REQUEST_MS),
    connectionMaxAgeMs: pick(file, 'connectionMaxAgeMs', DEFAULT_CONNECTION_MAX_AGE_MS),
    podName: env.podName,
    podNamespace: env.podNamespace,
    otlpTracesEndpoint: env.otlpTracesEndpoint,
    flagsUrl: env.flagsUrl,
    flagsPollMs: env.flagsPollMs,
    dependencies,
    timeoutsMs,
    retries,
    catalog: {
      cacheTtlSeconds: pick(file, 'cacheTtlSeconds', 30),
      storeLatencyMs: pick(file, 'storeLatencyMs', 40),
    },
    cart: {
      maxItems: pick(file, 'maxItems', 25),
      cartTtlSeconds: pick(file, 'cartTtlSeconds', 3600),
      productCacheTtlSeconds: pick(file, 'productCacheTtlSeconds', 60),
      redis: {
        host: env.redisHost ?? redisFile.host ?? 'redis',
        port: env.redisPort ?? redisFile.port ?? 6379,
        password: env.redisPassword,
        db: redisFile.db ?? 0,
      },
    },
    db: {
      host: env.pgHost ?? dbFile.host ?? 'postgres',
      port: env.pgPort ?? dbFile.port ?? 5432,
      user: env.pgUser ?? 'shop',
      password: env.pgPassword,
      database: env.pgDatabase ?? dbFile.database ?? 'shop',
      poolMax: dbFile.poolMax ?? 10,
      acquireTimeoutMs: dbFile.acquireTimeoutMs ?? 1000,
      statementTimeoutMs: dbFile.statementTimeoutMs ?? 2000,
      idleTimeoutMs: dbFile.idleTimeoutMs ?? 30_000,
      slowQueryMs: dbFile.slowQueryMs ?? 200,
    },
    orderStream: pick(file, 'orderStream', 'orders'),
    orderEventFormat: pick(file, 'orderEventFormat', 'v1'),
    payment: {
      providerLimitUsd: pick(file, 'providerLimitUsd', 5000),
      providerLatencyMs: pick(file, 'providerLatencyMs', 30),
    },
    inventory: { maxUnitsPerOrder: pick(file, 'maxUnitsPerOrder', 20) },
    shipping: {
      baseCostUsd: pick(file, 'baseCostUsd', 4.99),
      perItemUsd: pick(file, 'perItemUsd', 0.99),
      quoteLatencyMs: pick(file, 'quoteLatencyMs', 10),
    },
    currency: { rates: pick(file, 'rates', { ...DEFAULT_RATES }) },
    frontend: { defaultCurrency: pick(file, 'defaultCurrency', 'USD') },
    flags: { maxAuditEntries: pick(file, 'maxAuditEntries', 1000) },
    loadgen: {
      targetUrl: (env.targetUrl ?? pick(file, 'targetUrl', 'http://frontend:8080')).replace(/\/+$/, ''),
      rps: env.loadRps ?? pick(file, 'rps', 10),
      seed: env.loadSeed ?? pick(file, 'seed', 1),
      mix,
      requestTimeoutMs: pick(file, 'requestTimeoutMs', 10_000),
      maxInFlight: pick(file, 'maxInFlight', 200),
      variation: env.loadVariation ?? pick(file, 'variation', DEFAULT_LOAD_VARIATION),
      journeys: env.loadJourneys,
      durationS: env.loadDurationS,
    },
    catalogSync: { rps: env.syncRps ?? pick(file, 'syncRps', 20) },
    cartCleanup: {
      staleAfterSeconds: pick(file, 'staleAfterSeconds', 86_400),
      fixMissingExpiry: pick(file, 'fixMissingExpiry', true),
    },
  };
  return config;
}
