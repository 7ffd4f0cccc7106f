import { ShopMetrics } from './metrics.js';
import { ReadThroughCache } from './read-through-cache.js';

async function lookups(metrics: ShopMetrics): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  const { values } = await metrics.registry.getSingleMetric('cache_requests_total')!.get();
  for (const v of values) out[`${String(v.labels.cache)}:${String(v.labels.result)}`] = v.value;
  return out;
}

describe('ReadThroughCache', () => {
  it('loads once per key until the entry expires, and counts hits, misses and bypasses by cache', async () => {
    const metrics = new ShopMetrics();
    let now = 0;
    let enabled = true;
    let loads = 0;
    const load = (): Promise<number> => Promise.resolve(++loads);
    const cache = new ReadThroughCache<number>({
      metrics,
      service: 'cart',
      cache: 'product-prices',
      ttlMs: () => 1000,
      enabled: () => enabled,
      now: () => now,
    });
    expect(await cache.get('a', load)).toBe(1);
    expect(await cache.get('a', load)).toBe(1);
    now = 1000;
    expect(await cache.get('a', load)).toBe(2);
    enabled = false;
    expect(await cache.get('a', load)).toBe(3);
    expect(await lookups(metrics)).toEqual({
      'product-prices:miss': 2,
      'product-prices:hit': 1,
      'product-prices:bypass': 1,
    });
  });

  it('shares one series with a second cache of the process, apart by its cache label', async () => {
    const metrics = new ShopMetrics();
    const make = (cache: string, ttlMs: number): ReadThroughCache<string> =>
      new ReadThroughCache<string>({
        metrics,
        service: 'catalog',
        cache,
        ttlMs: () => ttlMs,
        enabled: () => true,
      });
    await make('products', 1000).get('k', () => Promise.resolve('v'));
    await make('stock', 0).get('k', () => Promise.resolve('v'));
    expect(await lookups(metrics)).toEqual({ 'products:miss': 1, 'stock:bypass': 1 });
  });

  it('forgets every entry on clear', async () => {
    const cache = new ReadThroughCache<number>({
      metrics: new ShopMetrics(),
      service: 'catalog',
      cache: 'products',
      ttlMs: () => 60_000,
      enabled: () => true,
    });
    let loads = 0;
    await cache.get('a', () => Promise.resolve(++loads));
    cache.clear();
    expect(await cache.get('a', () => Promise.resolve(++loads))).toBe(2);
  });
});
