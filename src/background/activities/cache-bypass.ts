import type { ActivityKind } from '../activity-kind.js';
import { settingBlip } from './setting-blip.js';

/**
 * Catalog's cache bypassed for a minute or so (a cache flush, a warm-up after a deploy): more store
 * queries, a little more latency, and the low-severity cache alert fires and resolves on its own.
 */
export const cacheBypass: ActivityKind = {
  id: 'cache-bypass',
  needs: ['objects', 'settings'],
  alerts: ['ShopCacheHitRatioLow'],
  plan(rng) {
    return { durationMs: rng.int(60, 100) * 1000, params: {} };
  },
  run(action, ctx) {
    return settingBlip(action, ctx, 'cache', { enabled: false }, 'catalog cache bypassed', ['catalog']);
  },
};
