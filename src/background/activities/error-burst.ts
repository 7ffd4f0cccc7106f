import { HTTP_DEPENDENCIES } from '../../../apps/shop/src/runtime/service-names.js';
import type { ActivityKind } from '../activity-kind.js';
import { errorShareBlip } from './setting-blip.js';

/**
 * The shop's services that other services or users call over HTTP (frontend, by the shoppers): a burst there
 * is seen by its callers.
 */
export const SERVED_SERVICES = ['frontend', ...HTTP_DEPENDENCIES] as const;

/**
 * An earlier, unrelated episode: one service answers a large share of its requests with 503 for 20–30 s
 * (a node hiccup, a dependency restarting), a couple of minutes before the incident. Its error-rate alert
 * and its callers' dependency alerts fire and resolve before the incident starts, often the first alerts an
 * on-call engineer finds in the window. Planned `before-fault` (plan-background.ts), dated from the window,
 * never from the fault, and settled before the fault: the checks tell the two apart (an alert that fired
 * before the first fault is background), and so can an agent that reads when each alert started and
 * ended. Any served service may burst, the faulty one too: were it never the faulty one, a burst would
 * clear its service.
 */
export const errorBurst: ActivityKind = {
  id: 'error-burst',
  needs: ['objects', 'settings'],
  alerts: ['ShopHighErrorRate', 'ShopDependencyErrors'],
  from: 'before-fault',
  plan(rng) {
    return {
      durationMs: rng.int(20, 30) * 1000,
      params: { fraction: Math.round(rng.between(0.3, 0.5) * 100) / 100 },
    };
  },
  run(action, ctx) {
    return errorShareBlip(action, ctx, 503, ' (an earlier episode)', SERVED_SERVICES);
  },
};
