import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, test } from '@jest/globals';
import { PRODUCTS, type Product } from '../data/products.js';
import { freePorts } from '../dev/free-port.js';
import { loadConfig } from '../runtime/config.js';
import { readEnv } from '../runtime/env.js';
import { createShopLogger } from '../runtime/logger.js';
import { catalogSyncJob } from './catalog-sync.js';
import { runJob } from './job-runtime.js';

const servers: Server[] = [];

afterEach(() => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    s.close();
  }
});

/** A catalog of the first `n` products; `detail` may change or fail an answer. */
async function fakeCatalog(
  n: number,
  detail: (p: Product) => { status: number; body: unknown } = (p) => ({ status: 200, body: p }),
): Promise<{ url: string; times: number[] }> {
  const products = PRODUCTS.slice(0, n);
  const times: number[] = [];
  const server = createServer((req, res) => {
    const send = (status: number, body: unknown) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (req.url === '/products') return send(200, { products });
    const p = products.find((x) => req.url === `/products/${x.id}`);
    times.push(performance.now());
    if (!p) return send(404, { error: 'not found' });
    const { status, body } = detail(p);
    send(status, body);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, times };
}

async function sync(catalogUrl: string, env: NodeJS.ProcessEnv = {}, signal = new AbortController().signal) {
  const { config } = loadConfig(
    readEnv(['node', 'main.js', 'catalog-sync'], { CATALOG_URL: catalogUrl, ...env }),
  );
  const lines: Array<Record<string, unknown>> = [];
  const logger = createShopLogger({
    service: config.service,
    level: 'info',
    destination: { write: (l: string) => lines.push(JSON.parse(l)) },
  });
  const code = await runJob(config, logger, catalogSyncJob, signal);
  return { code, lines, msgs: lines.map((l) => `${String(l.level)} ${String(l.msg)}`) };
}

describe('catalog-sync', () => {
  test('lists, fetches every product at the configured rate, reports progress and a summary, exits 0', async () => {
    const catalog = await fakeCatalog(12);
    const { code, lines, msgs } = await sync(catalog.url, { SYNC_RPS: '40' });
    expect(code).toBe(0);
    expect(msgs).toEqual([
      `info catalog sync started: reading products from ${catalog.url} at up to 40 requests/s`,
      'info synced 10/12 products',
      'info synced 12/12 products',
      expect.stringMatching(
        /^info catalog sync finished: 12 products in \d+ categories, 0 changed, in \d+\.\ds$/,
      ),
    ]);
    expect(catalog.times).toHaveLength(12);
    // 12 requests at 40/s: the last one no earlier than 11 × 25 ms after the first.
    expect(catalog.times[11]! - catalog.times[0]!).toBeGreaterThanOrEqual(11 * 25 - 5);
    // One job run, one trace: every line carries the root span's ids.
    expect(new Set(lines.map((l) => l.trace_id)).size).toBe(1);
    expect(lines[0]?.trace_id).toMatch(/^[0-9a-f]{32}$/);
    expect(lines.at(-1)).toMatchObject({ products: 12, synced: 12, changed: 0 });
  });

  test('a product whose details disagree with the listing is reported, not failed', async () => {
    const catalog = await fakeCatalog(3, (p) => ({
      status: 200,
      body: p.id === PRODUCTS[1]!.id ? { ...p, priceUsd: 1.5 } : p,
    }));
    const { code, lines } = await sync(catalog.url, { SYNC_RPS: '100' });
    expect(code).toBe(0);
    const changed = lines.find((l) => l.level === 'warn');
    expect(changed?.msg).toBe(
      `product ${PRODUCTS[1]!.id} changed during sync: price ${PRODUCTS[1]!.priceUsd} → 1.5`,
    );
    expect(lines.at(-1)).toMatchObject({ changed: 1 });
  });

  test('a product that cannot be fetched fails the job with one error line, after syncing the rest', async () => {
    const broken = PRODUCTS[2]!.id;
    const catalog = await fakeCatalog(4, (p) =>
      p.id === broken ? { status: 503, body: { error: 'store unavailable' } } : { status: 200, body: p },
    );
    const { code, lines, msgs } = await sync(catalog.url, { SYNC_RPS: '100' });
    expect(code).toBe(1);
    expect(msgs).toContain(
      `warn product ${broken} could not be synced: catalog: answered 503: store unavailable`,
    );
    expect(msgs).toContain('info synced 3/4 products');
    const errors = lines.filter((l) => l.level === 'error');
    expect(errors.map((l) => l.msg)).toEqual(['catalog sync failed: 1 of 4 products could not be synced']);
    // The GET was retried once, as any GET to a 503 is.
    expect(catalog.times).toHaveLength(5);
  });

  test('an unreachable catalog fails it with the connection error', async () => {
    const [port] = await freePorts(1);
    const { code, lines } = await sync(`http://127.0.0.1:${port}`);
    expect(code).toBe(1);
    expect(lines.at(-1)).toMatchObject({
      level: 'error',
      err_code: 'ECONNREFUSED',
      msg: `catalog sync failed: cannot list products: catalog: connect ECONNREFUSED 127.0.0.1:${port}`,
    });
  });

  test('SIGTERM stops it between products and says so', async () => {
    const catalog = await fakeCatalog(12);
    const stop = new AbortController();
    stop.abort('received SIGTERM');
    const { code, lines } = await sync(catalog.url, {}, stop.signal);
    expect(code).toBe(1);
    expect(lines.at(-1)?.msg).toBe('catalog sync failed: stopped before finishing (received SIGTERM)');
    expect(catalog.times).toHaveLength(0);
  });
});
