import { INCIDENT_SCENARIO_TEXT } from '../bundle/testing/incident-bundle.js';
import { loadScenarioText } from '../scenario/load-scenario.js';
import { localRegistration } from '../substrates/local/registration.js';
import { EPISODE_END_LEAD_MS } from '../background/plan-background.js';
import {
  APP_AGE_MS,
  CLUSTER_AGE_MS,
  EPISODE_MIN_START_MS,
  LEAD_JITTER_MS,
  LOAD_JITTER,
  TAIL_JITTER_MS,
  planRun,
} from './run-plan.js';

const scenario = loadScenarioText(INCIDENT_SCENARIO_TEXT, 'scenario.yaml');
const plan = (secret: string, repeat: number) =>
  planRun({ secret, scenario, seed: 42, repeat, provides: localRegistration.provides });

describe('planRun', () => {
  it("draws the app's and the cluster's ages in whole seconds within their ranges, per run", () => {
    const ages = [0, 1, 2, 3].map((r) => plan('ab'.repeat(32), r).history);
    for (const a of ages) {
      expect(a.appAgeMs % 1000).toBe(0);
      expect(a.clusterAgeMs % 1000).toBe(0);
      expect(a.appAgeMs).toBeGreaterThanOrEqual(APP_AGE_MS[0]);
      expect(a.appAgeMs).toBeLessThanOrEqual(APP_AGE_MS[1]);
      expect(a.clusterAgeMs).toBeGreaterThanOrEqual(CLUSTER_AGE_MS[0]);
      expect(a.clusterAgeMs).toBeLessThanOrEqual(CLUSTER_AGE_MS[1]);
    }
    expect(new Set(ages.map((a) => a.appAgeMs)).size).toBe(4);
    expect(plan('ab'.repeat(32), 2).history).toEqual(ages[2]);
    expect(plan('cd'.repeat(32), 2).history).not.toEqual(ages[2]);
  });

  it("varies the load's rate and each weight of its mix per run, within the jitter, the mix summing to one", () => {
    const { rps, mix } = scenario.spec.load;
    const loads = [0, 1, 2, 3, 4, 5].map((r) => plan('ab'.repeat(32), r).load);
    expect(new Set(loads.map((l) => l.rps)).size).toBeGreaterThan(3);
    for (const l of loads) {
      expect(l.rps).toBeGreaterThanOrEqual(rps * (1 - LOAD_JITTER) - 0.1);
      expect(l.rps).toBeLessThanOrEqual(rps * (1 + LOAD_JITTER) + 0.1);
      expect(l.mix.browse + l.mix.cart + l.mix.checkout).toBeCloseTo(1, 2);
      const ratio = l.mix.browse / l.mix.checkout / (mix.browse / mix.checkout);
      expect(ratio).toBeGreaterThan((1 - LOAD_JITTER) / (1 + LOAD_JITTER) - 0.01);
      expect(ratio).toBeLessThan((1 + LOAD_JITTER) / (1 - LOAD_JITTER) + 0.01);
    }
  });

  it('starts an episode before the first fault far enough into a warmup it lengthens, moving nothing else', () => {
    const runs = Array.from({ length: 40 }, (_, r) => ({
      with: planRun({
        secret: 'ef'.repeat(32),
        scenario: {
          ...scenario,
          spec: { ...scenario.spec, background: { profile: 'typical', counts: { 'error-burst': 1 } } },
        },
        seed: 42,
        repeat: r,
        provides: localRegistration.provides,
      }),
      without: planRun({
        secret: 'ef'.repeat(32),
        scenario: {
          ...scenario,
          spec: { ...scenario.spec, background: { profile: 'typical', counts: { 'error-burst': 0 } } },
        },
        seed: 42,
        repeat: r,
        provides: localRegistration.provides,
      }),
    }));
    let grown = 0;
    for (const { with: p, without: q } of runs) {
      const bursts = p.background.filter((a) => a.kind === 'error-burst');
      if (bursts.length === 0) {
        expect(p.warmupMs).toBe(q.warmupMs);
        continue;
      }
      // The first fault comes at the end of the warmup (the scenario's first fault is at 0).
      for (const b of bursts) {
        expect(b.atMs).toBeGreaterThanOrEqual(EPISODE_MIN_START_MS);
        // dated from the earliest the fault could come given the window's start, never from the fault
        const earliest = p.warmupMs - p.leadMs + scenario.spec.observe.window.beforeMs;
        const end = b.atMs + (b.durationMs ?? 0);
        expect(earliest - end).toBeGreaterThanOrEqual(EPISODE_END_LEAD_MS[0]);
        expect(earliest - end).toBeLessThanOrEqual(EPISODE_END_LEAD_MS[1]);
      }
      const extra = p.warmupMs - q.warmupMs;
      expect(extra).toBeGreaterThanOrEqual(0);
      if (extra > 0) grown++;
      // Everything else keeps its place relative to the first fault: the window, the other actions.
      expect(p.leadMs).toBe(q.leadMs);
      const rel = (xs: typeof p.background, warmup: number) =>
        xs.filter((a) => a.kind === 'rollout').map((a) => a.atMs - warmup);
      expect(rel(p.background, p.warmupMs)).toEqual(rel(q.background, q.warmupMs));
    }
    expect(grown).toBeGreaterThan(0);
  });

  it("draws the window's lead and tail with extras the same for every scenario, whatever its before and after", () => {
    const { beforeMs, afterMs } = scenario.spec.observe.window;
    const plans = Array.from({ length: 40 }, (_, r) => plan('ab'.repeat(32), r));
    for (const p of plans) {
      expect(p.leadMs).toBeGreaterThanOrEqual(beforeMs);
      expect(p.leadMs).toBeLessThan(beforeMs + LEAD_JITTER_MS);
      expect(p.tailMs).toBeGreaterThanOrEqual(afterMs);
      expect(p.tailMs).toBeLessThan(afterMs + TAIL_JITTER_MS);
    }
    // Spread over the whole extra, not a share of `before`: a short `before` reaches a long one's range.
    expect(Math.max(...plans.map((p) => p.leadMs)) - beforeMs).toBeGreaterThan(LEAD_JITTER_MS * 0.8);
  });
});
