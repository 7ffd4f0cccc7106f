import type { ActivityKind } from '../activity-kind.js';
import { settingBlip } from './setting-blip.js';

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
    const fraction = Number(action.params.fraction);
    return settingBlip(
      action,
      ctx,
      'errors',
      { fraction, status: 503 },
      `${(fraction * 100).toFixed(1)} % of requests answered 503`,
    );
  },
};
