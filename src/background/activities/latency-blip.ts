import type { ActivityKind } from '../activity-kind.js';
import { settingBlip } from './setting-blip.js';

/**
 * A stretch of slower requests at one service (a noisy neighbour, a GC storm), under the latency alert.
 * The delay stays at or below 200 ms because it adds up along a call path: checkout calls five services
 * in turn with a p95 of its own near 150 ms on a busy node, and 350 ms at one of them put checkout's p95
 * over the alert's 0.5 s in 15 of 80 baselines (session-15 corpus).
 */
export const latencyBlip: ActivityKind = {
  id: 'latency-blip',
  needs: ['objects', 'settings'],
  alerts: [],
  plan(rng) {
    return {
      durationMs: rng.int(45, 120) * 1000,
      params: { ms: rng.int(10, 20) * 10, probability: Math.round(rng.between(0.05, 0.2) * 100) / 100 },
    };
  },
  run(action, ctx) {
    const { ms, probability } = action.params;
    return settingBlip(
      action,
      ctx,
      'latency',
      { ms: Number(ms), probability: Number(probability) },
      `${String(ms)} ms added to ${Math.round(Number(probability) * 100)} % of requests`,
    );
  },
};
