import { blameEdge, healedAt, type FailedCall } from './edge-blame.js';
import { EntityIndex } from './entity-index.js';
import { SyntheticShop } from './testing/synthetic-shop.js';

const index = new EntityIndex(new SyntheticShop({ durationS: 10 }).build());
const T = Date.parse('2030-03-01T10:02:00Z');
const burst = (from: number, to: number, code = 'ECONNRESET'): FailedCall[] =>
  Array.from({ length: 20 }, (_, i) => ({ at: from + ((to - from) * i) / 19, code }));

describe('healedAt', () => {
  it('names the end of a short burst that stopped long before the end of the data', () => {
    expect(healedAt({ failures: burst(T, T + 10_000), observedUntil: T + 70_000 }, 'ECONNRESET')).toBe(
      T + 10_000,
    );
  });

  it('is null for failures that go on to the end, last too long, or when the end is unknown', () => {
    expect(healedAt({ failures: burst(T, T + 10_000), observedUntil: T + 20_000 }, 'ECONNRESET')).toBeNull();
    expect(healedAt({ failures: burst(T, T + 60_000), observedUntil: T + 200_000 }, 'ECONNRESET')).toBeNull();
    expect(healedAt({ failures: burst(T, T + 10_000) }, 'ECONNRESET')).toBeNull();
  });

  it('is null when no call went fine after the burst, where the signal sees calls that went fine', () => {
    const failures = burst(T, T + 10_000);
    // the caller stopped calling (its own pods unready): the failures stopped, the dependency did not heal
    expect(healedAt({ failures, observedUntil: T + 70_000, lastOk: T - 5_000 }, 'ECONNRESET')).toBeNull();
    expect(healedAt({ failures, observedUntil: T + 70_000, lastOk: null }, 'ECONNRESET')).toBeNull();
    expect(healedAt({ failures, observedUntil: T + 70_000, lastOk: T + 40_000 }, 'ECONNRESET')).toBe(
      T + 10_000,
    );
  });

  it('judges the commonest code alone: a stray retried 503 later does not make a burst ongoing', () => {
    const failures = [...burst(T, T + 10_000), { at: T + 58_000, code: 'HTTP_503' }];
    expect(healedAt({ failures, observedUntil: T + 60_000 }, 'ECONNRESET')).toBe(T + 10_000);
  });
});

describe('blameEdge', () => {
  const obs = (failures: FailedCall[], observedUntil: number) => ({
    signal: 'logs' as const,
    caller: 'shop/Deployment/frontend',
    peer: 'catalog',
    callee: 'shop/Deployment/catalog',
    failures,
    strength: 0.8,
    start: T,
    volume: `${failures.length} logged failures`,
    observedUntil,
  });

  it('weakens a healed blip at the callee and says when it stopped', () => {
    const [s] = blameEdge(obs(burst(T, T + 10_000), T + 120_000), index);
    expect(s.kind).toBe('unreachable');
    expect(s.weight).toBeCloseTo(0.8 * 0.35);
    expect(s.detail).toMatch(/stopped at/);
  });

  it('keeps an ongoing outage at full strength', () => {
    const [s] = blameEdge(obs(burst(T, T + 100_000), T + 101_000), index);
    expect(s.weight).toBeCloseTo(0.8);
    expect(s.detail).not.toMatch(/stopped at/);
  });

  it("blames the caller's setting when every call fails while the callee serves others, the path when only some do", () => {
    const all = blameEdge(
      { ...obs(burst(T, T + 100_000), T + 101_000), calleeServesOthers: true, failShare: 1 },
      index,
    );
    expect(all.map((x) => `${x.workload} ${x.kind}`)[0]).toBe('shop/Deployment/frontend misrouted');
    const some = blameEdge(
      { ...obs(burst(T, T + 100_000), T + 101_000), calleeServesOthers: true, failShare: 0.45 },
      index,
    );
    expect(some.map((x) => `${x.workload} ${x.kind}`)).toEqual(['shop/Deployment/catalog unreachable']);
    expect(some[0].weight).toBeCloseTo(0.8);
  });

  it("puts a lost link on the caller's end too when every call timed out and the callee's pods stayed ready", () => {
    const world = (ready: boolean, selector?: Record<string, string>): EntityIndex => {
      const shop = new SyntheticShop({ durationS: 10 });
      for (const p of shop.podsOf('catalog'))
        shop.get(`shop/Pod/${p.name}`).status = {
          phase: 'Running',
          conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
        };
      if (selector)
        shop.get('shop/Service/catalog').spec = { ...shop.get('shop/Service/catalog').spec, selector };
      return new EntityIndex(shop.build());
    };
    const gone = (): EntityIndex => {
      const shop = new SyntheticShop({ durationS: 10 });
      for (const p of shop.podsOf('catalog')) {
        const pod = shop.get(`shop/Pod/${p.name}`);
        pod.status = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] };
        shop.deletePod(p, 2, false);
        shop.objectChanges.push({
          ts: shop.iso(2),
          action: 'DELETED',
          entity: `shop/Pod/${p.name}`,
          object: pod,
        });
      }
      return new EntityIndex(shop.build());
    };
    const lost = { ...obs(burst(T, T + 100_000, 'ETIMEDOUT'), T + 101_000), failShare: 1 };
    const out = blameEdge(lost, world(true)).map((x) => [`${x.workload} ${x.kind}`, x.weight]);
    expect(out).toEqual([
      ['shop/Deployment/frontend misrouted', expect.closeTo(0.8 * 0.45, 5)],
      ['shop/Deployment/catalog unreachable', expect.closeTo(0.8, 5)],
    ]);
    // an unready callee, refused connections or a path that drops only some calls stay the callee's
    for (const [o, idx] of [
      [lost, world(false)],
      [{ ...lost, failures: burst(T, T + 100_000, 'ECONNREFUSED') }, world(true)],
      [{ ...lost, failShare: 0.4 }, world(true)],
      // the Service callers dial selects none of catalog's pods: it routes nowhere, nothing was lost on the way
      [lost, world(true, { 'app.kubernetes.io/name': 'catalog-v2' })],
      // catalog's pods were deleted (last seen ready) and none came back: no pod stayed ready
      [lost, gone()],
    ] as const)
      expect(blameEdge(o, idx).map((x) => x.kind)).toEqual(['unreachable']);
  });

  it('puts an answer that the request is wrong (404: no such endpoint) on the caller, not on the server', () => {
    const out = blameEdge(obs(burst(T, T + 100_000, 'HTTP_404'), T + 101_000), index);
    expect(out.map((x) => `${x.workload} ${x.kind}`)).toEqual([
      'shop/Deployment/frontend misrouted',
      'shop/Deployment/catalog errors',
    ]);
    expect(out[0].weight).toBeGreaterThan(4 * out[1].weight);
    // a 500 stays the server's
    const five = blameEdge(obs(burst(T, T + 100_000, 'HTTP_500'), T + 101_000), index);
    expect(five.map((x) => `${x.workload} ${x.kind}`)).toEqual(['shop/Deployment/catalog errors']);
  });
});
