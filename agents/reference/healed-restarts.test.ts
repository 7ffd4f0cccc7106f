import type { EntityId } from '../../src/entities/index.js';
import { EntityIndex } from './entity-index.js';
import type { Symptom } from './evidence.js';
import { healedRestarts } from './healed-restarts.js';
import type { PodLife } from './pod-lifecycle.js';
import { SyntheticShop } from './testing/synthetic-shop.js';

const T = Date.parse('2030-03-01T10:02:00Z');
const CART: EntityId = 'shop/Deployment/cart';

function world(opts: { ready: boolean; kills: number; lastLivenessFailure?: number; stoppedAt?: number }): {
  index: EntityIndex;
  pods: Map<EntityId, PodLife>;
} {
  const shop = new SyntheticShop({ durationS: 10 });
  const pod = shop.podsOf('cart')[0];
  const podId = `shop/Pod/${pod.name}` as EntityId;
  shop.get(podId).status = {
    phase: 'Running',
    containerStatuses: [
      { name: 'cart', ready: opts.ready, restartCount: opts.kills, state: { running: { startedAt: 'x' } } },
    ],
  };
  const life: PodLife = {
    id: podId,
    workload: CART,
    started: null,
    killed: opts.stoppedAt === undefined ? [] : [opts.stoppedAt],
    livenessKills: Array.from({ length: opts.kills }, (_, i) => T + i * 30_000),
    lastLivenessFailure: opts.lastLivenessFailure ?? null,
    livenessFailures: [],
    firstLog: T - 60_000,
    lastLog: T + 60_000,
  };
  return { index: new EntityIndex(shop.build()), pods: new Map([[podId, life]]) };
}

const crash = (detail: string, weight = 0.55): Symptom => ({
  signal: 'events',
  workload: CART,
  kind: 'crash',
  weight,
  at: T,
  detail,
});
const latency: Symptom = {
  signal: 'traces',
  workload: CART,
  kind: 'latency',
  weight: 0.9,
  at: T,
  detail: 'slow',
};

describe('healedRestarts', () => {
  it("cuts one liveness restart's crash evidence when the pod is ready again, and says so", () => {
    const { index, pods } = world({ ready: true, kills: 1 });
    const out = healedRestarts([crash('liveness probe failing'), latency], index, pods, T + 120_000);
    expect(out[0]).toMatchObject({
      weight: expect.closeTo(0.11, 5) as number,
      detail: 'liveness probe failing (restarted once by its liveness probe, healthy again)',
    });
    // Other kinds of trouble at the same workload are left alone.
    expect(out[1]).toEqual(latency);
  });

  it('cuts the readiness trouble of the restart itself, not what comes long after it', () => {
    const { index, pods } = world({ ready: true, kills: 1 });
    const unready = (at: number): Symptom => ({
      ...latency,
      kind: 'not-ready',
      weight: 0.4,
      at,
      detail: 'not ready',
    });
    const out = healedRestarts([unready(T + 5_000), unready(T + 150_000)], index, pods, T + 300_000);
    expect(out[0].weight).toBeCloseTo(0.08, 5);
    expect(out[1]).toEqual(unready(T + 150_000));
  });

  it('counts a pod unready at capture as healed when its liveness probe never failed again', () => {
    // unready because of what it calls; its last liveness failure is the one that restarted it
    const { index, pods } = world({ ready: false, kills: 1, lastLivenessFailure: T + 2000 });
    expect(healedRestarts([crash('liveness probe failing')], index, pods, T + 120_000)[0].weight).toBeCloseTo(
      0.11,
      5,
    );
  });

  it('counts a pod a scale-down removed soon after its one restart as healed, if its probe never failed again', () => {
    // unready, no failure since the restart, and removed 29 s later: it cannot hang again
    const gone = world({ ready: false, kills: 1, lastLivenessFailure: T, stoppedAt: T + 29_000 });
    expect(
      healedRestarts([crash('liveness probe failing')], gone.index, gone.pods, T + 60_000)[0].weight,
    ).toBeCloseTo(0.11, 5);
    // the same, but its probe failed again before it was removed
    const again = world({ ready: false, kills: 1, lastLivenessFailure: T + 20_000, stoppedAt: T + 29_000 });
    const symptoms = [crash('liveness probe failing')];
    expect(healedRestarts(symptoms, again.index, again.pods, T + 60_000)).toEqual(symptoms);
  });

  it('leaves restarts that repeat, a pod that is not ready, or a container backing off as they are', () => {
    const cases: Array<[{ ready: boolean; kills: number; lastLivenessFailure?: number }, Symptom[]]> = [
      [{ ready: true, kills: 2 }, [crash('liveness probe failing')]],
      [{ ready: false, kills: 1 }, [crash('liveness probe failing')]],
      // unready, and its probe failed again 40 s after the restart: the hang came back
      [{ ready: false, kills: 1, lastLivenessFailure: T + 40_000 }, [crash('liveness probe failing')]],
      [
        { ready: true, kills: 1 },
        [crash('liveness probe failing'), crash('container restarting with back-off: "x"')],
      ],
    ];
    for (const [opts, symptoms] of cases) {
      const { index, pods } = world(opts);
      expect(healedRestarts(symptoms, index, pods, T + 120_000)).toEqual(symptoms);
    }
    // unready, no failure since, but captured too soon after the restart to know
    const soon = world({ ready: false, kills: 1, lastLivenessFailure: T });
    const symptoms = [crash('liveness probe failing')];
    expect(healedRestarts(symptoms, soon.index, soon.pods, T + 30_000)).toEqual(symptoms);
  });
});
