import { serviceOfName } from '../../kube/service-address.js';
import {
  CorrelatedRandom,
  MAX_RETRANSMISSIONS,
  ProxyChaosRules,
  TokenBucket,
  retransmissionDelay,
} from './proxy-chaos.js';

const w = (name: string) => ({ namespace: 'shop', name });

describe('proxy chaos rules', () => {
  it('reads every in-cluster form of a Service name, and nothing outside the cluster', () => {
    expect(serviceOfName('cart', 'shop')).toBe('shop/cart');
    expect(serviceOfName('cart.shop', 'other')).toBe('shop/cart');
    expect(serviceOfName('cart.shop.svc', 'other')).toBe('shop/cart');
    expect(serviceOfName('Cart.shop.svc.cluster.local.', 'other')).toBe('shop/cart');
    expect(serviceOfName('cart.example.com', 'shop')).toBeUndefined();
  });

  it('holds a lost chunk for the retransmission timeouts of every lost copy, doubling from 200 ms', () => {
    const draws = (...xs: number[]) => {
      let i = 0;
      return () => xs[i++];
    };
    expect(retransmissionDelay(35, draws(0.5))).toBe(0);
    expect(retransmissionDelay(35, draws(0.1, 0.5))).toBe(200);
    expect(retransmissionDelay(35, draws(0.1, 0.2, 0.3, 0.9))).toBe(200 + 400 + 800);
    // A copy lost once more than Linux would retransmit before every caller has given up: never arrives.
    expect(retransmissionDelay(100, () => 0)).toBeUndefined();
    const justArrives = [...Array<number>(MAX_RETRANSMISSIONS).fill(0), 0.99];
    expect(retransmissionDelay(50, draws(...justArrives))).toBe(200 * (2 ** MAX_RETRANSMISSIONS - 1));
  });

  it('correlates draws as netem does: next = (1 - ρ)·u + ρ·last', () => {
    const draws = [0.2, 1, 0];
    let i = 0;
    const r = new CorrelatedRandom(50, () => draws[i++]);
    expect(r.next()).toBeCloseTo(0.6);
    expect(r.next()).toBeCloseTo(0.3);
    expect(new CorrelatedRandom(0, () => 0.7).next()).toBe(0.7);
  });

  it('a token bucket lets its buffer through at once, then paces at the rate', () => {
    let now = 0;
    const b = new TokenBucket(1000, 500, () => now);
    expect(b.take(500)).toBe(0);
    expect(b.take(1000)).toBe(1000);
    now = 1000;
    // One second refilled 1000 tokens of the 1000 owed: the next 500 wait half a second.
    expect(b.take(500)).toBe(500);
  });

  it("a token bucket refuses what would overflow its queue (tbf's limit), without taking tokens", () => {
    const b = new TokenBucket(1000, 100, () => 0, 400);
    expect(b.take(400)).toBe(300);
    expect(b.take(200)).toBeUndefined();
    expect(b.take(100)).toBe(400);
  });

  it('matches a link by caller, callee and direction, and sums the delays of every rule', () => {
    const rules = new ProxyChaosRules(() => 0.5);
    rules.addNetwork({
      kind: 'network',
      action: 'delay',
      from: w('frontend'),
      to: w('cart'),
      direction: 'to',
      delay: { latencyMs: 100, jitterMs: 0, correlation: 0 },
    });
    rules.addNetwork({
      kind: 'network',
      action: 'delay',
      from: w('frontend'),
      to: w('cart'),
      direction: 'both',
      delay: { latencyMs: 30, jitterMs: 0, correlation: 0 },
    });
    const ends = { client: w('frontend'), server: w('cart'), service: w('cart'), serverPort: 8080 };
    expect(rules.chunkFate(ends, true, 10)).toEqual({ fate: 'pass', delayMs: 130 });
    expect(rules.chunkFate(ends, false, 10)).toEqual({ fate: 'pass', delayMs: 30 });
    expect(rules.chunkFate({ ...ends, client: w('checkout') }, true, 10)).toEqual({
      fate: 'pass',
      delayMs: 0,
    });
    // Unknown callers (no pod address) are never matched.
    expect(rules.chunkFate({ ...ends, client: undefined }, true, 10)).toEqual({ fate: 'pass', delayMs: 0 });
  });
});
