import type { ActivityKind } from '../activity-kind.js';
import { settingBlip } from './setting-blip.js';

/**
 * One service's cache bypassed for a minute or so (a cache flush, a warm-up after a deploy): catalog's
 * product cache (more store queries) or cart's price cache (more calls to catalog), a little more latency,
 * and the low-severity cache alert fires and resolves on its own. Either service: were the flapping alert
 * always catalog's, a first-alert guess would name catalog's own faults and nothing else.
 */
/** The shop's services with a cache behind the `cache` setting and `cache_requests_total`. */
export const CACHED_SERVICES = ['catalog', 'cart'] as const;

export const cacheBypass: ActivityKind = {
  id: 'cache-bypass',
  needs: ['objects', 'settings'],
  alerts: ['ShopCacheHitRatioLow'],
  oneAtATime: true,
  plan(rng) {
    return { durationMs: rng.int(60, 100) * 1000, params: {} };
  },
  run(action, ctx) {
    return settingBlip(action, ctx, 'cache', { enabled: false }, 'cache bypassed', CACHED_SERVICES);
  },
};
