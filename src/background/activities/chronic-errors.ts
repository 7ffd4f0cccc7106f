import type { ActivityKind } from '../activity-kind.js';
import { errorShareBlip } from './setting-blip.js';

/**
 * A defect nobody has fixed: one service answers a small share of its requests with 500 from before the
 * window until the end of the run, below the error-rate alert. Its error spans and logs are in every
 * snapshot, at the same level before and during the incident: trouble an agent must see is not new.
 * At most 2 %: on payment (~160 requests a minute) a 1-minute error ratio then crosses the 5 % alert
 * threshold by chance in 0.6 % of windows (Poisson), at 2.5 % in 2.4 %.
 */
export const chronicErrors: ActivityKind = {
  id: 'chronic-errors',
  needs: ['objects', 'settings'],
  alerts: [],
  from: 'start',
  plan(rng) {
    return { params: { fraction: Math.round(rng.between(0.008, 0.02) * 1000) / 1000 } };
  },
  run(action, ctx) {
    return errorShareBlip(action, ctx, 500, ' for the whole run');
  },
};
