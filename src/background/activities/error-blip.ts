import type { ActivityKind } from '../activity-kind.js';
import { errorShareBlip } from './setting-blip.js';

/** A few transient 503s at one service (callers retry GETs and succeed), under the error-rate alerts. */
export const errorBlip: ActivityKind = {
  id: 'error-blip',
  needs: ['objects', 'settings'],
  alerts: [],
  plan(rng) {
    return {
      durationMs: rng.int(30, 90) * 1000,
      params: { fraction: Math.round(rng.between(0.005, 0.02) * 1000) / 1000 },
    };
  },
  run(action, ctx) {
    return errorShareBlip(action, ctx, 503);
  },
};
