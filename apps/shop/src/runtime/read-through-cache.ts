import type { ShopMetrics } from './metrics.js';

export interface ReadThroughCacheOptions {
  metrics: ShopMetrics;
  service: string;
  /** What it holds, the `cache` label of its lookups: two caches of one process stay apart. */
  cache: string;
  /** Read on every lookup: a config reload or a runtime setting changes it without a restart. */
  ttlMs: () => number;
  /** False bypasses the cache (a flush, a warm-up after a deploy): every lookup loads. */
  enabled: () => boolean;
  now?: () => number;
}

/**
 * An in-process read-through cache and its `cache_requests_total` lookups by result (hit, miss, bypass),
 * the one series the low hit-ratio alert reads, so every shop service with a cache is watched alike.
 */
export class ReadThroughCache<T> {
  private readonly entries = new Map<string, { value: T; expires: number }>();
  private readonly lookups;
  private readonly now: () => number;

  constructor(private readonly opts: ReadThroughCacheOptions) {
    this.lookups = opts.metrics.counter(
      'cache_requests_total',
      'Cache lookups, by cache and result (hit, miss, bypass).',
      ['service', 'cache', 'result'],
    );
    this.now = opts.now ?? Date.now;
  }

  async get(key: string, load: () => Promise<T>): Promise<T> {
    const ttlMs = this.opts.ttlMs();
    const labels = { service: this.opts.service, cache: this.opts.cache };
    if (ttlMs <= 0 || !this.opts.enabled()) {
      this.lookups.inc({ ...labels, result: 'bypass' });
      return load();
    }
    const hit = this.entries.get(key);
    if (hit && hit.expires > this.now()) {
      this.lookups.inc({ ...labels, result: 'hit' });
      return hit.value;
    }
    this.lookups.inc({ ...labels, result: 'miss' });
    const value = await load();
    this.entries.set(key, { value, expires: this.now() + ttlMs });
    return value;
  }

  clear(): void {
    this.entries.clear();
  }
}
