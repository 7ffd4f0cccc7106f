import { EntityIndex } from '../entity-index.js';
import { podLifecycles } from '../pod-lifecycle.js';
import { SyntheticShop } from '../testing/synthetic-shop.js';
import { traceSignal } from './traces.js';

function symptoms(shop: SyntheticShop): Array<{ workload: string; kind: string; weight: number }> {
  const snap = shop.build();
  const index = new EntityIndex(snap);
  return traceSignal(snap.spans, index, podLifecycles(snap, index))
    .symptoms.filter((s) => s.weight >= 0.2)
    .map(({ workload, kind, weight }) => ({ workload, kind, weight }));
}

describe('traceSignal', () => {
  it('places errors where they originate, not at the callers that pass them on', () => {
    const shop = new SyntheticShop();
    shop.failRequests('payment', 100, 0.8, 500);
    const got = symptoms(shop);
    expect(got.filter((s) => s.kind === 'errors').map((s) => s.workload)).toEqual([
      'shop/Deployment/payment',
    ]);
  });

  it('places refusals (4xx) where they start, not at the callers that pass them on, and not as errors', () => {
    const shop = new SyntheticShop();
    shop.failRequests('payment', 100, 0.4, 402);
    const got = symptoms(shop);
    expect(got.filter((s) => s.kind === 'refuses').map((s) => s.workload)).toEqual([
      'shop/Deployment/payment',
    ]);
    expect(got.filter((s) => s.kind === 'errors')).toEqual([]);
  });

  it('takes a few refusals all along for shoppers, not an incident', () => {
    const shop = new SyntheticShop();
    shop.failRequests('payment', 0, 0.02, 402);
    expect(symptoms(shop).filter((s) => s.kind === 'refuses')).toEqual([]);
  });

  it('places slowness in the service whose own time grew', () => {
    const shop = new SyntheticShop();
    shop.slowDown('shipping', 100, 900);
    const got = symptoms(shop);
    expect(got.filter((s) => s.kind === 'latency').map((s) => s.workload)).toEqual([
      'shop/Deployment/shipping',
    ]);
  });

  it("puts a slow link at its far end, though neither side's own spans slowed", () => {
    const shop = new SyntheticShop();
    shop.delayLink('payment', 100, 600, { caller: 'checkout' });
    const got = symptoms(shop);
    expect(got.filter((s) => s.kind === 'latency').map((s) => s.workload)).toEqual([
      'shop/Deployment/payment',
    ]);
  });

  it('keeps a third of a short wait-out that passed long before capture, calls going fine since', () => {
    const waits = (from: number, to: number): number => {
      const shop = new SyntheticShop();
      shop.breakCalls('cart', from, 'ETIMEDOUT', { caller: 'frontend', to, giveUpAfterMs: 2000 });
      const snap = shop.build();
      const index = new EntityIndex(snap);
      const got = traceSignal(snap.spans, index, podLifecycles(snap, index)).symptoms.filter(
        (s) =>
          s.workload === 'shop/Deployment/cart' && s.kind === 'latency' && /gave up waiting/.test(s.detail),
      );
      return got[0]?.weight ?? 0;
    };
    // the same ten seconds of calls given up on: at the end of the data, and two minutes before it
    const atEnd = waits(228, 238);
    expect(atEnd).toBeGreaterThan(0.1);
    const passed = waits(100, 110);
    expect(passed).toBeGreaterThan(0);
    expect(passed).toBeLessThan(atEnd * 0.6);
    expect(waits(100, Infinity)).toBe(1);
  });

  it('puts a lossy link at its far end: a third of the calls held for retransmissions, the median unchanged', () => {
    const shop = new SyntheticShop();
    shop.delayLink('shipping', 100, 600, { caller: 'checkout', share: 0.3 });
    const got = symptoms(shop);
    expect(got.filter((s) => s.kind === 'latency').map((s) => s.workload)).toEqual([
      'shop/Deployment/shipping',
    ]);
  });

  it('leaves a caller that reads every answer late to its own time, not to its callees', () => {
    const shop = new SyntheticShop();
    for (const peer of ['payment', 'shipping', 'currency', 'cart', 'catalog'])
      shop.delayLink(peer, 100, 400, { caller: 'checkout' });
    const got = symptoms(shop);
    expect(got.filter((s) => s.kind === 'latency' && s.workload !== 'shop/Deployment/checkout')).toEqual([]);
  });

  it('puts statements that all got slower at the untraced store they go to, not at the caller', () => {
    const shop = new SyntheticShop();
    shop.delayLink('redis', 100, 800, { caller: 'cart' });
    const got = symptoms(shop);
    expect(got.filter((s) => s.kind === 'latency').map((s) => s.workload)).toEqual(['shop/Deployment/redis']);
  });

  it('leaves an untraced store alone when only a few statements were slow', () => {
    const shop = new SyntheticShop();
    shop.delayLink('redis', 100, 800, { caller: 'cart', share: 0.2 });
    expect(symptoms(shop).filter((s) => s.workload === 'shop/Deployment/redis')).toEqual([]);
  });

  it('leaves an untraced store alone when the caller reads every answer late, traced ones too', () => {
    const shop = new SyntheticShop();
    for (const peer of ['redis', 'catalog']) shop.delayLink(peer, 100, 400, { caller: 'cart' });
    expect(symptoms(shop).filter((s) => s.workload === 'shop/Deployment/redis')).toEqual([]);
  });

  it('leaves an untraced store alone when the caller got slower on its own as well', () => {
    const shop = new SyntheticShop();
    shop.slowDown('cart', 100, 600);
    shop.delayLink('redis', 100, 400, { caller: 'cart' });
    expect(symptoms(shop).filter((s) => s.workload === 'shop/Deployment/redis')).toEqual([]);
  });

  it('blames the callee for calls refused at its Service address', () => {
    const shop = new SyntheticShop();
    shop.breakCalls('currency', 100, 'ECONNREFUSED');
    const got = symptoms(shop);
    expect(got).toContainEqual(
      expect.objectContaining({ workload: 'shop/Deployment/currency', kind: 'unreachable' }),
    );
    expect(got.some((s) => s.kind === 'misrouted')).toBe(false);
  });

  it('blames the caller that dials an address that is not the Service', () => {
    const shop = new SyntheticShop();
    shop.breakCalls('payment', 100, 'ECONNREFUSED', { caller: 'checkout', address: '127.0.0.1:9' });
    const got = symptoms(shop);
    expect(got).toContainEqual(
      expect.objectContaining({ workload: 'shop/Deployment/checkout', kind: 'misrouted', weight: 1 }),
    );
    expect(got.filter((s) => s.workload === 'shop/Deployment/payment')).toEqual([]);
  });

  it('blames the caller whose calls another service answers (a URL that resolves to the wrong service)', () => {
    const shop = new SyntheticShop();
    shop.misroute('currency', 100, 'catalog', { caller: 'frontend' });
    const got = symptoms(shop);
    expect(got).toContainEqual(
      expect.objectContaining({ workload: 'shop/Deployment/frontend', kind: 'misrouted' }),
    );
    // neither the service named (currency) nor the one that answered (catalog) is at fault
    expect(
      got.filter(
        (s) => s.workload === 'shop/Deployment/currency' || s.workload === 'shop/Deployment/catalog',
      ),
    ).toEqual([]);
  });

  it('reports both sides of rejected credentials, and errors answered by a datastore at the datastore', () => {
    const auth = new SyntheticShop();
    auth.breakCalls('redis', 100, 'WRONGPASS', { caller: 'cart' });
    expect(symptoms(auth).map((s) => `${s.workload} ${s.kind}`)).toEqual(
      expect.arrayContaining(['shop/Deployment/cart auth', 'shop/Deployment/redis auth-rejects']),
    );
    const oom = new SyntheticShop();
    oom.breakCalls('redis', 100, 'OOM', { caller: 'cart' });
    expect(symptoms(oom)).toContainEqual(
      expect.objectContaining({ workload: 'shop/Deployment/redis', kind: 'errors' }),
    );
  });
});

describe('traceSignal on a queue', () => {
  // cart stands in for a consumer of what checkout publishes: the roles come from the spans, not names
  function withMessages(failInConsumer: boolean, childFails: boolean) {
    const shop = new SyntheticShop();
    const snap = shop.build();
    const index = new EntityIndex(snap);
    for (let i = 0; i < 6; i++) {
      const at = shop.t(60 + i * 5);
      const base = { traceId: `t${i}`, start: at, end: at + 5, durationMs: 5 };
      snap.spans.push(
        {
          ...base,
          spanId: `p${i}`,
          parentId: null,
          service: 'checkout',
          name: 'send orders',
          kind: 'client',
          error: false,
          messaging: 'producer',
          entity: null,
        },
        {
          ...base,
          spanId: `c${i}`,
          parentId: `p${i}`,
          service: 'cart',
          name: 'process orders',
          kind: 'server',
          error: failInConsumer,
          errorType: 'PoisonMessageError',
          messaging: 'consumer',
          entity: null,
        },
        {
          ...base,
          spanId: `d${i}`,
          parentId: `c${i}`,
          service: 'cart',
          name: 'INSERT ledger',
          kind: 'client',
          error: childFails,
          peer: 'redis',
          entity: null,
        },
      );
    }
    return traceSignal(snap.spans, index, podLifecycles(snap, index)).suspects.filter(
      (s) => s.signal === 'traces',
    );
  }

  it("puts statements that waited out the caller's own connection pool at the caller, not the store", () => {
    const shop = new SyntheticShop();
    shop.breakCalls('redis', 100, 'POOL_TIMEOUT', { caller: 'cart' });
    const got = symptoms(shop);
    expect(got).toContainEqual(
      expect.objectContaining({ workload: 'shop/Deployment/cart', kind: 'saturation' }),
    );
    expect(got.filter((s) => s.workload === 'shop/Deployment/redis')).toEqual([]);
  });

  it('suspects the publisher when consumers keep failing in their own code on its messages', () => {
    const got = withMessages(true, false);
    expect(got.map((s) => [s.entity, s.affects])).toEqual([
      ['shop/Deployment/checkout', ['shop/Deployment/cart']],
    ]);
    expect(got[0].detail).toMatch(/6 messages it published failed in cart's own code .*PoisonMessageError/);
  });

  it('leaves the publisher alone when the consumer failed on a call of its own, or did not fail', () => {
    expect(withMessages(true, true)).toEqual([]);
    expect(withMessages(false, false)).toEqual([]);
  });
});
