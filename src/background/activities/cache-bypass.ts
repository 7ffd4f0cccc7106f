import type { ActivityContext, ActivityKind } from '../activity-kind.js';
import type { PlannedAction } from '../background-action.js';
import { settingBlip } from './setting-blip.js';

/**
 * One service's cache bypassed for a minute or so (a cache flush, a warm-up after a deploy): catalog's
 * product cache (more store queries) or cart's price cache (more calls to catalog), a little more latency,
 * and the low-severity cache alert fires and resolves on its own. Either service: were the flapping alert
 * always catalog's, a first-alert guess would name catalog's own faults and nothing else.
 */
/** The shop's services with a cache behind the `cache` setting and `cache_requests_total`. */
export const CACHED_SERVICES = ['catalog', 'cart'] as const;

/** The service whose answers a cache holds, where that is another service (cart keeps catalog's prices). */
const FRONTS: Readonly<Partial<Record<(typeof CACHED_SERVICES)[number], string>>> = { cart: 'catalog' };

/**
 * The caches an action may bypass: not one in front of a faulty service while the incident is on (or the
 * bypass lasts into it). Every read would then go to the failing service, and the incident would reach the
 * cache's owner and its callers in the repeat that happened to bypass it and not in the other (session 18's
 * corpus: catalog's errors reached cart and checkout in one repeat, Jaccard 0.43).
 */
function bypassable(action: PlannedAction, ctx: ActivityContext): readonly string[] {
  const from = ctx.excludedFrom?.();
  const reaches = from === undefined || ctx.now().getTime() + (action.durationMs ?? Infinity) >= from;
  if (!reaches) return CACHED_SERVICES;
  return CACHED_SERVICES.filter((s) => {
    const behind = FRONTS[s];
    return behind === undefined || !ctx.faultTargets?.has(behind);
  });
}

export const cacheBypass: ActivityKind = {
  id: 'cache-bypass',
  needs: ['objects', 'settings'],
  alerts: ['ShopCacheHitRatioLow'],
  oneAtATime: true,
  plan(rng) {
    return { durationMs: rng.int(60, 100) * 1000, params: {} };
  },
  run(action, ctx) {
    return settingBlip(action, ctx, 'cache', { enabled: false }, 'cache bypassed', bypassable(action, ctx));
  },
};
