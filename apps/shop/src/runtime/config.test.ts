import { describe, expect, test } from '@jest/globals';
import { ConfigError } from './config-error.js';
import { loadConfig } from './config.js';
import { readEnv } from './env.js';

const FILE = '/etc/shop/config.json';

function load(service: string, file: unknown, env: NodeJS.ProcessEnv = {}) {
  const e = readEnv(['node', 'main.js', service], {
    ...env,
    ...(file === undefined ? {} : { SHOP_CONFIG_FILE: FILE }),
  });
  return loadConfig(e, () => (typeof file === 'string' ? file : JSON.stringify(file)));
}

function failure(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('readEnv', () => {
  test('takes the service from argv, then SHOP_SERVICE', () => {
    expect(readEnv(['n', 'm', 'cart'], { SHOP_SERVICE: 'catalog' }).service).toBe('cart');
    expect(readEnv(['n', 'm'], { SHOP_SERVICE: 'catalog' }).service).toBe('catalog');
    expect(failure(() => readEnv(['n', 'm', 'basket'], {}))).toMatch(/unknown service "basket"/);
    expect(readEnv(['n', 'm', 'catalog-sync'], {}).service).toBe('catalog-sync');
    expect(readEnv(['n', 'm'], { SHOP_SERVICE: 'cart-cleanup' }).service).toBe('cart-cleanup');
    expect(failure(() => readEnv(['n', 'm'], {}))).toMatch(/no service named/);
  });

  test('rejects malformed variables with the variable name', () => {
    expect(failure(() => readEnv(['n', 'm', 'cart'], { PORT: 'http' }))).toMatch(
      /PORT must be a port number/,
    );
    expect(failure(() => readEnv(['n', 'm', 'cart'], { FLAGS_POLL_MS: '5000' }))).toMatch(/FLAGS_POLL_MS/);
    expect(failure(() => readEnv(['n', 'm', 'cart'], { CATALOG_URL: 'catalog:8080' }))).toMatch(
      /CATALOG_URL must be an http\(s\) URL/,
    );
    expect(failure(() => readEnv(['n', 'm', 'loadgen'], { LOAD_VARIATION: '0.6' }))).toMatch(
      /LOAD_VARIATION must be a number 0-0.5 \(got "0.6"\)/,
    );
    expect(failure(() => readEnv(['n', 'm', 'catalog-sync'], { SYNC_RPS: '0' }))).toMatch(/SYNC_RPS/);
  });
});

describe('loadConfig', () => {
  test('defaults without a file: k8s service URLs, 2 s timeouts, one retry', () => {
    const { config } = load('checkout', undefined);
    expect(config.port).toBe(8080);
    expect(config.logLevel).toBe('info');
    expect(config.dependencies.payment).toBe('http://payment:8080');
    expect(config.timeoutsMs.payment).toBe(2000);
    expect(config.retries.payment).toBe(1);
    expect(config.flagsUrl).toBeUndefined();
    expect(config.flagsPollMs).toBe(2000);
    expect(config.slowRequestMs).toBe(250);
  });

  test('slowRequestMs is a common key: any service takes it, and only a positive integer', () => {
    expect(load('payment', { slowRequestMs: 100 }).config.slowRequestMs).toBe(100);
    expect(load('frontend', { slowRequestMs: 1000 }).config.slowRequestMs).toBe(1000);
    for (const bad of [0, -5, 2.5, '250ms']) {
      expect(failure(() => load('catalog', { slowRequestMs: bad }))).toMatch(
        /^invalid configuration in .*: slowRequestMs: /,
      );
    }
  });

  test('connectionMaxAgeMs is a common key: 30 s by default, 0 (never retire) allowed, no negative or fraction', () => {
    expect(load('checkout', {}).config.connectionMaxAgeMs).toBe(30_000);
    expect(load('checkout', { connectionMaxAgeMs: 0 }).config.connectionMaxAgeMs).toBe(0);
    expect(load('frontend', { connectionMaxAgeMs: 5000 }).config.connectionMaxAgeMs).toBe(5000);
    for (const bad of [-1, 2.5, '30s']) {
      expect(failure(() => load('cart', { connectionMaxAgeMs: bad }))).toMatch(
        /^invalid configuration in .*: connectionMaxAgeMs: /,
      );
    }
  });

  test('env overrides the file', () => {
    const { config } = load(
      'cart',
      {
        logLevel: 'warn',
        dependencies: { catalog: 'http://catalog.shop:9000' },
        redis: { host: 'cache', port: 7000 },
        maxItems: 3,
      },
      {
        LOG_LEVEL: 'debug',
        CATALOG_URL: 'http://127.0.0.1:1234/',
        REDIS_PORT: '6380',
        REDIS_PASSWORD: 's3cret',
      },
    );
    expect(config.logLevel).toBe('debug');
    expect(config.dependencies.catalog).toBe('http://127.0.0.1:1234');
    expect(config.cart.redis).toEqual({ host: 'cache', port: 6380, password: 's3cret', db: 0 });
    expect(config.cart.maxItems).toBe(3);
  });

  test('frontend gives checkout a longer timeout than the rest', () => {
    const { config } = load('frontend', undefined);
    expect(config.timeoutsMs.checkout).toBeGreaterThan(config.timeoutsMs.catalog);
  });

  test.each([
    ['catalog', '{"cacheTtlSeconds": ', /not valid JSON/],
    ['catalog', '[]', /expected a JSON object/],
    ['catalog', { cacheTtlSeconds: -1 }, /cacheTtlSeconds: .*>=0.*\(got -1\)/],
    ['checkout', { timeoutsMs: { payment: -5 } }, /timeoutsMs\.payment/],
    ['checkout', { timeoutsMs: { payment: '2s' } }, /timeoutsMs\.payment/],
    ['checkout', { retries: { payment: 9 } }, /retries\.payment/],
    ['currency', { rates: { USD: 1, EURO: 0.9 } }, /unknown currency code "EURO"/],
    ['currency', { rates: { EUR: 0.9 } }, /USD/],
    ['currency', { rates: { USD: 1, EUR: 0 } }, /rates\.EUR/],
    ['frontend', { defaultCurrency: 'XXX' }, /unknown currency code "XXX"/],
    ['cart', { maxItems: 2.5 }, /maxItems/],
    ['payment', { providerLimitUsd: 'lots' }, /providerLimitUsd/],
    ['inventory', { maxUnitsPerOrder: 0 }, /maxUnitsPerOrder/],
    ['inventory', { maxUnitsPerOrder: 2.5 }, /maxUnitsPerOrder/],
    ['frontend', { logLevel: 'verbose' }, /logLevel/],
  ])('%s with %j fails with a clear message', (service, file, message) => {
    const text = failure(() => load(service, file));
    expect(text).toMatch(message);
    expect(text).toContain(FILE);
  });

  test('values that are valid but harmful are accepted (they fail on the request path)', () => {
    expect(load('cart', { maxItems: 0 }).config.cart.maxItems).toBe(0);
    expect(load('payment', { providerLimitUsd: 0 }).config.payment.providerLimitUsd).toBe(0);
    expect(load('inventory', { maxUnitsPerOrder: 1 }).config.inventory.maxUnitsPerOrder).toBe(1);
    expect(load('inventory', {}).config.inventory.maxUnitsPerOrder).toBe(20);
    expect(load('currency', { rates: { USD: 1, GBP: 0.8 } }).config.currency.rates).toEqual({
      USD: 1,
      GBP: 0.8,
    });
  });

  test('unknown keys are reported, not fatal', () => {
    expect(load('catalog', { cacheTtl: 5, cacheTtlSeconds: 5 }).unknownKeys).toEqual(['cacheTtl']);
  });

  test('a missing file is fatal', () => {
    const e = readEnv(['n', 'm', 'catalog'], { SHOP_CONFIG_FILE: '/nope.json' });
    const text = failure(() =>
      loadConfig(e, () => {
        throw Object.assign(new Error('no such file'), { code: 'ENOENT' });
      }),
    );
    expect(text).toBe('cannot read config file /nope.json: ENOENT');
  });

  test('loadgen reads LOAD_* and rejects a bad LOAD_MIX', () => {
    const { config } = load('loadgen', undefined, {
      TARGET_URL: 'http://fe:8080',
      LOAD_RPS: '20',
      LOAD_SEED: '7',
      LOAD_MIX: '{"checkout":1}',
    });
    expect(config.loadgen).toMatchObject({
      targetUrl: 'http://fe:8080',
      rps: 20,
      seed: 7,
      mix: { browse: 0, cart: 0, checkout: 1 },
    });
    expect(failure(() => load('loadgen', undefined, { LOAD_MIX: '{"browse":"a lot"}' }))).toMatch(/LOAD_MIX/);
  });

  test('loadgen varies its rate by 20% unless LOAD_VARIATION or the file says otherwise', () => {
    expect(load('loadgen', undefined).config.loadgen.variation).toBe(0.2);
    expect(load('loadgen', { variation: 0.1 }).config.loadgen.variation).toBe(0.1);
    expect(load('loadgen', { variation: 0.1 }, { LOAD_VARIATION: '0' }).config.loadgen.variation).toBe(0);
    expect(failure(() => load('loadgen', { variation: 0.9 }))).toMatch(/variation/);
  });

  test('the batch jobs: catalog-sync reads SYNC_RPS, cart-cleanup the cart Redis settings', () => {
    const sync = load('catalog-sync', undefined, { CATALOG_URL: 'http://catalog.shop:8080', SYNC_RPS: '5' });
    expect(sync.config.service).toBe('catalog-sync');
    expect(sync.config.catalogSync.rps).toBe(5);
    expect(sync.config.dependencies.catalog).toBe('http://catalog.shop:8080');
    expect(load('catalog-sync', { syncRps: 7 }).config.catalogSync.rps).toBe(7);
    expect(load('catalog-sync', undefined).config.catalogSync.rps).toBe(20);

    const cleanup = load(
      'cart-cleanup',
      { cartTtlSeconds: 600, redis: { db: 2 } },
      { REDIS_HOST: 'redis', REDIS_PORT: '6379', REDIS_PASSWORD: 'pw' },
    ).config;
    expect(cleanup.cart.redis).toEqual({ host: 'redis', port: 6379, password: 'pw', db: 2 });
    expect(cleanup.cart.cartTtlSeconds).toBe(600);
    expect(cleanup.cartCleanup).toEqual({ staleAfterSeconds: 86_400, fixMissingExpiry: true });
    expect(cleanup.timeoutsMs.redis).toBe(1000);
    expect(failure(() => load('cart-cleanup', { fixMissingExpiry: 'yes' }))).toMatch(/fixMissingExpiry/);
    expect(load('cart-cleanup', { maxItems: 3 }).unknownKeys).toEqual(['maxItems']);
  });
});

describe('the database settings', () => {
  test('come from libpq variables and the db key, with pool defaults', () => {
    const { config } = load(
      'inventory',
      { db: { poolMax: 4, statementTimeoutMs: 0 } },
      { PGHOST: 'pg.internal', PGPORT: '6432', PGUSER: 'app', PGPASSWORD: ' s3 cret', PGDATABASE: 'orders' },
    );
    expect(config.db).toEqual({
      host: 'pg.internal',
      port: 6432,
      user: 'app',
      password: ' s3 cret',
      database: 'orders',
      poolMax: 4,
      acquireTimeoutMs: 1000,
      statementTimeoutMs: 0,
      idleTimeoutMs: 30_000,
      slowQueryMs: 200,
    });
    expect(load('checkout', undefined).config.db).toMatchObject({
      host: 'postgres',
      port: 5432,
      user: 'shop',
    });
  });

  test('a bad pool size or port names the key', () => {
    expect(failure(() => load('inventory', { db: { poolMax: 0 } }))).toMatch(/db\.poolMax/);
    expect(failure(() => load('inventory', {}, { PGPORT: 'five' }))).toMatch(/PGPORT must be a port number/);
  });
});
