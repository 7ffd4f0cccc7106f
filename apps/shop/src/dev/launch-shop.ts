import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { JourneyMix } from '../loadgen/plan.js';
import type { JobName, ProcessName, ServiceName } from '../runtime/service-names.js';
import { ChildProcessGroup } from './child-process-group.js';
import { freePorts } from './free-port.js';
import { startPostgresServer } from './postgres-server.js';
import { startRedisServer } from './redis-server.js';
import { waitForPort } from './wait-for-port.js';

/** The shop minus the load generator, in start order. */
export const SHOP_SERVICES = [
  'flags',
  'inventory',
  'catalog',
  'currency',
  'payment',
  'shipping',
  'cart',
  'checkout',
  'accounting',
  'fulfillment',
  'frontend',
] as const;
export type ShopServiceName = (typeof SHOP_SERVICES)[number];

export interface LoadOptions {
  rps: number;
  seed: number;
  mix?: JourneyMix;
  /** LOAD_VARIATION; unset: the load generator's default. */
  variation?: number;
  journeys?: number;
  durationS?: number;
  /** Defaults to the launched frontend. */
  targetUrl?: string;
}

export interface LaunchOptions {
  /** dist/apps/shop/src/main.js; defaults to the one under the repository root found from the cwd. */
  mainJs?: string;
  otlpEndpoint?: string;
  flagsPollMs?: number;
  /** LOG_LEVEL for every service, or per service. */
  logLevel?: string | Partial<Record<ProcessName, string>>;
  /** Contents of each service's config.json (written to a temp file and passed as SHOP_CONFIG_FILE). */
  configs?: Partial<Record<ProcessName, unknown>>;
  /** Extra environment per service. */
  env?: Partial<Record<ProcessName, NodeJS.ProcessEnv>>;
  /** Start a load generator too. */
  load?: LoadOptions;
  redisPassword?: string;
  /** V8 heap limit per service process in MiB (NODE_OPTIONS --max-old-space-size). */
  maxOldSpaceMb?: number;
}

export interface LaunchedShop {
  processes: Map<ServiceName | 'redis' | 'postgres', ChildProcessGroup>;
  ports: Record<ShopServiceName, number>;
  redis: { port: number; password: string };
  postgres: { port: number; user: string; database: string; password: string };
  workDir: string;
  url(service: ShopServiceName): string;
  /** Environment a service process gets (with PORT): for starting extra processes against this shop. */
  envFor(service: ProcessName, port: number): NodeJS.ProcessEnv;
  /**
   * Runs a batch job against this shop (its catalog, its Redis with the password, the trace receiver) as a
   * Kubernetes Job would; await `exited` for its exit code. Not added to `processes`.
   */
  runJob(job: JobName, env?: NodeJS.ProcessEnv, name?: string): ChildProcessGroup;
  /** Starts (another) load generator against this shop. */
  startLoad(load: LoadOptions, name?: string): Promise<{ process: ChildProcessGroup; url: string }>;
  /** Until every shop service answers /readyz with 200. */
  waitReady(timeoutMs?: number): Promise<void>;
  /** Stops everything (SIGTERM then SIGKILL per process group); returns exit codes by name. */
  stop(): Promise<Record<string, number | null>>;
}

/** dist/apps/shop/src/main.js → the repository root. */
function repoRootOf(mainJs: string): string {
  return resolve(dirname(mainJs), '..', '..', '..', '..');
}

export function findMainJs(from = process.cwd()): string {
  let dir = resolve(from);
  for (;;) {
    const candidate = join(dir, 'dist', 'apps', 'shop', 'src', 'main.js');
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'apps', 'shop'))) return candidate;
    const up = dirname(dir);
    if (up === dir) throw new Error(`no repository root with apps/shop above ${from}`);
    dir = up;
  }
}

/** Spawns one shop service from the compiled entry point. */
export function spawnShopService(
  mainJs: string,
  service: ProcessName,
  env: NodeJS.ProcessEnv,
  name: string = service,
): ChildProcessGroup {
  return new ChildProcessGroup({ name, command: process.execPath, args: [mainJs, service], env });
}

async function ready(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2000) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

/**
 * Runs the whole shop on loopback: a password-protected, non-persistent redis-server, a fresh PostgreSQL
 * (schema applied by the db-migrate job before the services start) and every service as a child process of the compiled entry point, wired together through *_URL variables. Used by the shop's
 * integration test and bench/shop-load.ts.
 */
export async function launchShop(opts: LaunchOptions = {}): Promise<LaunchedShop> {
  const mainJs = opts.mainJs ?? findMainJs();
  if (!existsSync(mainJs)) throw new Error(`${mainJs} is missing: run npm run build`);
  const workDir = mkdtempSync(join(tmpdir(), 'shop-'));
  const [redisPort, pgPort, ...servicePorts] = await freePorts(SHOP_SERVICES.length + 2);
  const ports = Object.fromEntries(SHOP_SERVICES.map((s, i) => [s, servicePorts[i]])) as Record<
    ShopServiceName,
    number
  >;
  const password = opts.redisPassword ?? `pw-${Math.random().toString(36).slice(2)}`;
  const processes = new Map<ServiceName | 'redis' | 'postgres', ChildProcessGroup>();
  const url = (s: ShopServiceName) => `http://127.0.0.1:${ports[s]}`;

  const stop = async () => {
    const codes: Record<string, number | null> = {};
    // Load generators first, then the shop services together, Redis last.
    for (const tier of [0, 1, 2]) {
      const names = [...processes.keys()].filter((n) => tierOf(n) === tier);
      const results = await Promise.all(names.map((n) => processes.get(n)!.stop()));
      names.forEach((n, i) => (codes[n] = results[i]));
    }
    rmSync(workDir, { recursive: true, force: true });
    return codes;
  };

  try {
    const [redis, pg] = await Promise.all([
      startRedisServer({ port: redisPort, password, dir: workDir }),
      startPostgresServer({ repoRoot: repoRootOf(mainJs), port: pgPort, password, dir: workDir }),
    ]);
    processes.set('redis', redis.process);
    processes.set('postgres', pg.process);

    const envFor = (service: ProcessName, port: number): NodeJS.ProcessEnv => {
      const level = typeof opts.logLevel === 'string' ? opts.logLevel : opts.logLevel?.[service];
      const env: NodeJS.ProcessEnv = {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        SHOP_SERVICE: service,
        PORT: String(port),
        POD_NAME: `${service}-0`,
        POD_NAMESPACE: service === 'flags' ? 'firedrill-system' : 'shop',
        FLAGS_URL: url('flags'),
        FLAGS_POLL_MS: String(opts.flagsPollMs ?? 2000),
        CATALOG_URL: url('catalog'),
        CART_URL: url('cart'),
        CHECKOUT_URL: url('checkout'),
        PAYMENT_URL: url('payment'),
        SHIPPING_URL: url('shipping'),
        CURRENCY_URL: url('currency'),
        INVENTORY_URL: url('inventory'),
        PGHOST: '127.0.0.1',
        PGPORT: String(pgPort),
        PGUSER: pg.user,
        PGPASSWORD: pg.password,
        PGDATABASE: pg.database,
        REDIS_HOST: '127.0.0.1',
        REDIS_PORT: String(redisPort),
        REDIS_PASSWORD: password,
        ...(level ? { LOG_LEVEL: level } : {}),
        ...(opts.otlpEndpoint ? { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: opts.otlpEndpoint } : {}),
        ...(opts.maxOldSpaceMb ? { NODE_OPTIONS: `--max-old-space-size=${opts.maxOldSpaceMb}` } : {}),
      };
      const config = opts.configs?.[service];
      if (config !== undefined) {
        const file = join(workDir, `${service}-config.json`);
        writeFileSync(file, typeof config === 'string' ? config : JSON.stringify(config));
        env.SHOP_CONFIG_FILE = file;
      }
      return { ...env, ...opts.env?.[service] };
    };

    // The schema first, as the db-migrate Job precedes the services on Kubernetes.
    const migrateEnv = envFor('db-migrate', 0);
    delete migrateEnv.PORT;
    const migrate = spawnShopService(mainJs, 'db-migrate', migrateEnv);
    const migrated = await migrate.exited;
    if (migrated !== 0)
      throw new Error(`db-migrate exited with ${migrated}: ${migrate.stdout.slice(-3).join(' | ')}`);

    for (const service of SHOP_SERVICES) {
      processes.set(service, spawnShopService(mainJs, service, envFor(service, ports[service])));
    }

    let loadCount = 0;
    const startLoad = async (load: LoadOptions, name?: string) => {
      const [port] = await freePorts(1);
      const procName = name ?? (loadCount++ === 0 ? 'loadgen' : `loadgen-${loadCount}`);
      const env = envFor('loadgen', port);
      env.TARGET_URL = load.targetUrl ?? url('frontend');
      env.LOAD_RPS = String(load.rps);
      env.LOAD_SEED = String(load.seed);
      if (load.mix) env.LOAD_MIX = JSON.stringify(load.mix);
      if (load.variation !== undefined) env.LOAD_VARIATION = String(load.variation);
      if (load.journeys !== undefined) env.LOAD_JOURNEYS = String(load.journeys);
      if (load.durationS !== undefined) env.LOAD_DURATION_S = String(load.durationS);
      const p = spawnShopService(mainJs, 'loadgen', env, procName);
      processes.set(procName as ServiceName, p);
      await waitForPort(port, 15_000);
      return { process: p, url: `http://127.0.0.1:${port}` };
    };

    const shop: LaunchedShop = {
      processes,
      ports,
      redis: { port: redisPort, password },
      postgres: { port: pgPort, user: pg.user, database: pg.database, password: pg.password },
      workDir,
      url,
      envFor,
      runJob(job, env = {}, name = job) {
        const base = envFor(job, 0);
        delete base.PORT;
        return spawnShopService(mainJs, job, { ...base, POD_NAME: `${name}-0`, ...env }, name);
      },
      startLoad,
      async waitReady(timeoutMs = 30_000) {
        const deadline = Date.now() + timeoutMs;
        for (const s of SHOP_SERVICES) {
          while (!(await ready(url(s)))) {
            const p = processes.get(s)!;
            if (!p.running)
              throw new Error(
                `${s} exited with ${p.exitCode}: ${p.stdout.slice(-3).join(' | ')} ${p.stderr.slice(-3).join(' | ')}`,
              );
            if (Date.now() > deadline) throw new Error(`${s} not ready after ${timeoutMs}ms`);
            await new Promise((r) => setTimeout(r, 200));
          }
        }
      },
      stop,
    };
    if (opts.load) await startLoad(opts.load);
    return shop;
  } catch (err) {
    await stop();
    throw err;
  }
}

function tierOf(name: string): number {
  if (name.startsWith('loadgen')) return 0;
  return name === 'redis' || name === 'postgres' ? 2 : 1;
}
