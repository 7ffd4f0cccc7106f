import { SpanKind } from '@opentelemetry/api';
import {
  ATTR_DB_COLLECTION_NAME,
  ATTR_DB_OPERATION_NAME,
  ATTR_DB_QUERY_SUMMARY,
} from '@opentelemetry/semantic-conventions';
// Incubating only (deprecated for db.system.name), but it is the key firedrill's exporters read to tell a
// client span; the wire format stays as it was.
import { ATTR_DB_SYSTEM, DB_SYSTEM_VALUE_SQLITE } from '@opentelemetry/semantic-conventions/incubating';
import { PRODUCTS, type Product } from '../data/products.js';
import { DependencyError } from '../runtime/dependency-error.js';
import { HttpError } from '../runtime/http-error.js';
import { ReadThroughCache } from '../runtime/read-through-cache.js';
import type { ServiceContext, ServiceParts } from '../runtime/service-context.js';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Product listings served from an in-memory cache in front of a slow "product store" (a simulated database
 * query of storeLatencyMs). With the cache off (cacheTtlSeconds 0 or the `cache` setting disabled), every
 * request pays the store's latency.
 */
export function catalogService(ctx: ServiceContext): ServiceParts {
  const { tracer, metrics, settings, config } = ctx;
  const inventory = ctx.client('inventory');
  const cache = new ReadThroughCache<unknown>({
    metrics,
    service: config.service,
    cache: 'products',
    ttlMs: () => config.catalog.cacheTtlSeconds * 1000,
    enabled: () => settings.current.cache?.enabled !== false,
  });

  async function queryStore<T>(what: string, load: () => T): Promise<T> {
    const span = tracer.startSpan(`SELECT products`, {
      kind: SpanKind.CLIENT,
      attributes: {
        [ATTR_DB_SYSTEM]: DB_SYSTEM_VALUE_SQLITE,
        [ATTR_DB_OPERATION_NAME]: 'SELECT',
        [ATTR_DB_COLLECTION_NAME]: 'products',
        [ATTR_DB_QUERY_SUMMARY]: what,
      },
    });
    try {
      await sleep(config.catalog.storeLatencyMs);
      return load();
    } finally {
      span.end();
    }
  }

  // One cache holds listings, products and stock levels; each key's loader says what it holds.
  const cached = <T>(key: string, load: () => Promise<T>): Promise<T> => cache.get(key, load) as Promise<T>;

  settings.onChange((next, prev) => {
    if (next.cache?.enabled === false && prev.cache?.enabled !== false) cache.clear();
  });

  return {
    routes(server) {
      server.route('GET', '/products', async () => {
        const products = await cached('all', () => queryStore('list', () => PRODUCTS.map((p) => ({ ...p }))));
        return { body: { products } };
      });
      server.route('GET', '/products/:id', async (req) => {
        const id = req.params.id;
        const product = await cached(`id:${id}`, () =>
          queryStore('by id', () => PRODUCTS.find((p) => p.id === id) ?? null),
        );
        if (!product) throw new HttpError(404, `product ${id} not found`);
        // availability is a nice-to-have on the product page: without inventory the page still renders
        let inStock: boolean | null = null;
        try {
          const level = await cached(`stock:${id}`, () =>
            inventory.get<{ available: number }>(`/stock/${encodeURIComponent(id)}`, '/stock/:productId'),
          );
          inStock = level.available > 0;
        } catch (err) {
          if (!(err instanceof DependencyError)) throw err;
          req.log.warn(
            { dependency: 'inventory', err_code: err.code, product_id: id },
            `stock level of ${id} unavailable, listing it without: ${err.message}`,
          );
        }
        return { body: { ...(product satisfies Product), inStock } };
      });
    },
  };
}
