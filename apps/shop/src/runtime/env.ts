import { ConfigError } from './config-error.js';
import {
  HTTP_DEPENDENCIES,
  JOB_NAMES,
  SERVICE_NAMES,
  isJobName,
  isServiceName,
  type HttpDependency,
  type ProcessName,
} from './service-names.js';

/** The process environment as the shop reads it; everything optional here has a default in config.ts. */
export interface ShopEnv {
  service: ProcessName;
  port?: number;
  podName?: string;
  podNamespace?: string;
  logLevel?: string;
  /** Full OTLP/HTTP traces URL; undefined disables export (spans still get ids for logs and propagation). */
  otlpTracesEndpoint?: string;
  flagsUrl?: string;
  flagsPollMs: number;
  dependencyUrls: Partial<Record<HttpDependency, string>>;
  redisHost?: string;
  redisPort?: number;
  redisPassword?: string;
  /** libpq's own variable names, so the manifests read as any PostgreSQL client's would. */
  pgHost?: string;
  pgPort?: number;
  pgUser?: string;
  pgPassword?: string;
  pgDatabase?: string;
  configFile?: string;
  targetUrl?: string;
  loadRps?: number;
  loadSeed?: number;
  loadMix?: string;
  loadVariation?: number;
  loadJourneys?: number;
  loadDurationS?: number;
  syncRps?: number;
}

export const DEFAULT_FLAGS_POLL_MS = 2000;

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

function numberVar(
  env: NodeJS.ProcessEnv,
  name: string,
  check: (n: number) => boolean,
  expect: string,
): number | undefined {
  const raw = nonEmpty(env[name]);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || !check(n))
    throw new ConfigError(`invalid environment: ${name} must be ${expect} (got "${raw}")`);
  return n;
}

function urlVar(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const raw = nonEmpty(env[name]);
  if (raw === undefined) return undefined;
  try {
    const u = new URL(raw);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('not http');
  } catch {
    throw new ConfigError(`invalid environment: ${name} must be an http(s) URL (got "${raw}")`);
  }
  return raw.replace(/\/+$/, '');
}

const isPort = (n: number) => Number.isInteger(n) && n >= 0 && n <= 65535;

/** Reads argv[2] / SHOP_SERVICE and the variables documented in docs/shop.md; a malformed value throws ConfigError. */
export function readEnv(argv: readonly string[], env: NodeJS.ProcessEnv): ShopEnv {
  const name = nonEmpty(argv[2]) ?? nonEmpty(env.SHOP_SERVICE);
  const choices = `${SERVICE_NAMES.join(', ')} (or a job: ${JOB_NAMES.join(', ')})`;
  if (name === undefined) {
    throw new ConfigError(`no service named: pass one of ${choices} as the first argument or SHOP_SERVICE`);
  }
  if (!isServiceName(name) && !isJobName(name)) {
    throw new ConfigError(`unknown service "${name}": expected one of ${choices}`);
  }
  const dependencyUrls: Partial<Record<HttpDependency, string>> = {};
  for (const dep of HTTP_DEPENDENCIES) {
    const url = urlVar(env, `${dep.toUpperCase()}_URL`);
    if (url !== undefined) dependencyUrls[dep] = url;
  }
  return {
    service: name,
    port: numberVar(env, 'PORT', isPort, 'a port number 0-65535'),
    podName: nonEmpty(env.POD_NAME),
    podNamespace: nonEmpty(env.POD_NAMESPACE),
    logLevel: nonEmpty(env.LOG_LEVEL),
    otlpTracesEndpoint: urlVar(env, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'),
    flagsUrl: urlVar(env, 'FLAGS_URL'),
    flagsPollMs:
      numberVar(
        env,
        'FLAGS_POLL_MS',
        (n) => Number.isInteger(n) && n >= 50 && n <= 2000,
        'an integer 50-2000',
      ) ?? DEFAULT_FLAGS_POLL_MS,
    dependencyUrls,
    redisHost: nonEmpty(env.REDIS_HOST),
    redisPort: numberVar(env, 'REDIS_PORT', (n) => isPort(n) && n > 0, 'a port number 1-65535'),
    // A password may legitimately contain spaces at the edges; only "unset" and "empty" are the same.
    redisPassword:
      env.REDIS_PASSWORD === undefined || env.REDIS_PASSWORD === '' ? undefined : env.REDIS_PASSWORD,
    pgHost: nonEmpty(env.PGHOST),
    pgPort: numberVar(env, 'PGPORT', (n) => isPort(n) && n > 0, 'a port number 1-65535'),
    pgUser: nonEmpty(env.PGUSER),
    pgPassword: env.PGPASSWORD === undefined || env.PGPASSWORD === '' ? undefined : env.PGPASSWORD,
    pgDatabase: nonEmpty(env.PGDATABASE),
    configFile: nonEmpty(env.SHOP_CONFIG_FILE),
    targetUrl: urlVar(env, 'TARGET_URL'),
    loadRps: numberVar(env, 'LOAD_RPS', (n) => n > 0 && n <= 1000, 'a number in (0, 1000]'),
    loadSeed: numberVar(env, 'LOAD_SEED', (n) => Number.isInteger(n), 'an integer'),
    loadMix: nonEmpty(env.LOAD_MIX),
    loadVariation: numberVar(env, 'LOAD_VARIATION', (n) => n >= 0 && n <= 0.5, 'a number 0-0.5'),
    loadJourneys: numberVar(env, 'LOAD_JOURNEYS', (n) => Number.isInteger(n) && n > 0, 'a positive integer'),
    loadDurationS: numberVar(env, 'LOAD_DURATION_S', (n) => n > 0, 'a positive number'),
    syncRps: numberVar(env, 'SYNC_RPS', (n) => n > 0 && n <= 1000, 'a number in (0, 1000]'),
  };
}
