import { EntityIndex } from './entity-index.js';
import type { Evidence, Suspect, Symptom } from './evidence.js';
import { callerExplained, rank, timeFit } from './rank.js';
import { SyntheticShop } from './testing/synthetic-shop.js';

const index = new EntityIndex(new SyntheticShop({ durationS: 10 }).build());
const T = Date.parse('2030-03-01T10:02:00Z');
const sym = (
  workload: string,
  kind: Symptom['kind'],
  weight: number,
  signal: Symptom['signal'] = 'traces',
): Symptom => ({
  signal,
  workload: `shop/Deployment/${workload}`,
  kind,
  weight,
  at: T,
  detail: `${workload} ${kind}`,
});
/** The symptom, first seen at `t`. */
const at = (x: Symptom, t: number): Symptom => ({ ...x, at: t });
const sus = (
  entity: string,
  weight: number,
  affects: string[],
  explains: Suspect['explains'],
  at: number | null = T - 5000,
): Suspect => ({
  signal: 'changes',
  entity,
  weight,
  at,
  affects: affects.map((a) => `shop/Deployment/${a}`),
  explains,
  detail: entity,
});
const evidence = (
  symptoms: Symptom[],
  suspects: Suspect[] = [],
  calls: Array<[string, string]> = [],
): Evidence => ({
  symptoms,
  suspects,
  calls: calls.map(([f, t]) => ({ from: `shop/Deployment/${f}`, to: `shop/Deployment/${t}` })),
  notes: [],
});

describe('rank', () => {
  it('dates the trouble from what is still going on, not from an episode that was over before it', () => {
    const episode: Symptom = { ...sym('cart', 'errors', 0.42, 'alerts'), at: T - 90_000, over: true };
    const r = rank(evidence([episode, sym('payment', 'errors', 0.8)]), index);
    expect(r.onset).toBe(T);
    const without = rank(evidence([{ ...episode, over: undefined }, sym('payment', 'errors', 0.8)]), index);
    expect(without.onset).toBe(T - 90_000);
  });

  it("counts a pod's pending, not-ready and gone states as one observation, not three", () => {
    // cart: one pod replaced in seconds, seen from every angle, weakly; payment: one strong, sustained kind.
    const r = rank(
      evidence([
        sym('cart', 'unavailable', 0.37, 'events'),
        sym('cart', 'pending', 0.22, 'alerts'),
        sym('cart', 'not-ready', 0.26, 'alerts'),
        sym('cart', 'unreachable', 0.3, 'logs'),
        sym('payment', 'unreachable', 0.8, 'logs'),
        sym('payment', 'unreachable', 0.56, 'traces'),
      ]),
      index,
    );
    expect(r.candidates.map((c) => c.entity).slice(0, 2)).toEqual([
      'shop/Deployment/payment',
      'shop/Deployment/cart',
    ]);
  });

  it("cuts trouble that began late with a deletion of the workload's pod, not trouble a deletion started", () => {
    const deleted = (w: string, t: number): Symptom => ({
      ...sym(w, 'unavailable', 0.3, 'events'),
      at: t,
      detail: '1 pod(s) deleted from outside their ReplicaSet since 10:03:30',
    });
    // shipping's trouble starts the incident; currency's 90 s later, with its pod deleted
    const late = rank(
      evidence([
        at(sym('shipping', 'latency', 0.7), T),
        at(sym('currency', 'unreachable', 0.7), T + 90_000),
        deleted('currency', T + 90_000),
      ]),
      index,
    );
    expect(late.candidates.map((c) => c.entity)[0]).toBe('shop/Deployment/shipping');
    const currency = late.candidates.find((c) => c.entity === 'shop/Deployment/currency');
    expect(currency?.discounts.join(' ')).toMatch(/began with a deletion of its pod 90 s after/);
    // 35 s after is late too (a drain 44 s into an incident ranked first in a dev task); 20 s is not
    const cutAt = (delayMs: number): string =>
      rank(
        evidence([
          at(sym('shipping', 'latency', 0.7), T),
          at(sym('currency', 'unreachable', 0.7), T + delayMs),
          deleted('currency', T + delayMs),
        ]),
        index,
      )
        .candidates.find((c) => c.entity === 'shop/Deployment/currency')
        ?.discounts.join(' ') ?? '';
    expect(cutAt(35_000)).toMatch(/deletion of its pod 35 s after/);
    expect(cutAt(20_000)).not.toMatch(/deletion/);
    // pods deleted as the incident itself: the first deletion is the onset, nothing is cut
    const first = rank(
      evidence([
        at(sym('shipping', 'unreachable', 0.7), T),
        deleted('shipping', T),
        at(sym('cart', 'latency', 0.2), T),
      ]),
      index,
    );
    expect(first.candidates[0].entity).toBe('shop/Deployment/shipping');
    expect(first.candidates[0].discounts.join(' ')).not.toMatch(/deletion/);
  });

  it('puts the most downstream unhealthy service first: callers only pass its errors on', () => {
    const r = rank(
      evidence(
        [sym('frontend', 'errors', 0.9), sym('checkout', 'errors', 0.9), sym('payment', 'errors', 0.7)],
        [],
        [
          ['frontend', 'checkout'],
          ['checkout', 'payment'],
        ],
      ),
      index,
    );
    expect(r.candidates[0].entity).toBe('shop/Deployment/payment');
    expect(r.candidates[1].discounts.join()).toMatch(/passed on from Deployment\/payment/);
  });

  it('does not discount what cannot be passed on (a crash) because a callee is unwell', () => {
    const r = rank(
      evidence([sym('checkout', 'crash', 1), sym('payment', 'errors', 0.5)], [], [['checkout', 'payment']]),
      index,
    );
    expect(r.candidates[0].entity).toBe('shop/Deployment/checkout');
  });

  it('prefers the object whose change explains a workload’s trouble over the workload itself', () => {
    const r = rank(
      evidence(
        [sym('payment', 'crash', 1), sym('payment', 'config', 0.9, 'logs')],
        [sus('shop/ConfigMap/payment-config', 0.8, ['payment'], ['config', 'crash'])],
      ),
      index,
    );
    expect(r.candidates.map((c) => c.entity)).toEqual([
      'shop/ConfigMap/payment-config',
      'shop/Deployment/payment',
    ]);
  });

  it('passes refused orders on from the service whose refusals start in its own code, to the config it read', () => {
    // checkout's business alert, payment's 402s, and payment-config edited and read at payment's rollout
    const r = rank(
      evidence(
        [sym('checkout', 'refuses', 0.45, 'alerts'), sym('payment', 'refuses', 0.9)],
        [sus('shop/ConfigMap/payment-config', 0.7, ['payment'], ['config', 'errors', 'refuses'])],
        [
          ['frontend', 'checkout'],
          ['checkout', 'payment'],
        ],
      ),
      index,
    );
    expect(r.candidates.map((c) => c.entity).slice(0, 2)).toEqual([
      'shop/ConfigMap/payment-config',
      'shop/Deployment/payment',
    ]);
    // checkout only passes the refusals on: most of its score goes to payment, which it calls
    const score = (e: string) => r.candidates.find((c) => c.entity === e)?.score ?? 0;
    expect(score('shop/Deployment/checkout')).toBeLessThan(0.2);
  });

  it('keeps a change that explains nothing observed far down, or off the list', () => {
    const r = rank(
      evidence(
        [sym('catalog', 'errors', 1)],
        [sus('shop/Deployment/shipping', 0.6, ['shipping'], ['crash', 'errors'])],
      ),
      index,
    );
    expect(r.candidates[0].entity).toBe('shop/Deployment/catalog');
    expect(r.candidates.find((c) => c.entity === 'shop/Deployment/shipping')?.score ?? 0).toBeLessThan(0.1);
  });

  it('discounts a change made after the trouble began', () => {
    expect(timeFit(T + 60_000, T)).toBeLessThan(0.5);
    expect(timeFit(T - 30_000, T)).toBe(1);
    expect(timeFit(T - 3 * 3600_000, T)).toBe(0.6);
    expect(timeFit(null, T)).toBe(0.9);
  });

  // Seen in a development bundle: a caller whose timeout was cut to 3 ms (its ConfigMap changed) while a
  // background pod replacement briefly made the callee unreachable for another caller.
  const impatientCart = (): Symptom[] => [
    { ...sym('cart', 'misrouted', 1), peer: 'shop/Deployment/catalog', definite: true },
    { ...sym('cart', 'errors', 0.8, 'logs') },
    { ...sym('catalog', 'unreachable', 0.35, 'alerts'), peer: 'shop/Deployment/cart' },
    { ...sym('catalog', 'unreachable', 0.3, 'metrics'), peer: 'shop/Deployment/cart' },
    { ...sym('catalog', 'unreachable', 0.2, 'logs'), peer: 'shop/Deployment/frontend' },
    sym('catalog', 'unavailable', 0.3, 'events'),
  ];

  it('clears a callee of failures on an edge whose caller is at fault, and only on that edge', () => {
    const out = callerExplained(impatientCart());
    const at = (w: string, peer: string) =>
      out.find((s) => s.workload === `shop/Deployment/${w}` && s.kind === 'unreachable' && s.peer === peer);
    expect(at('catalog', 'shop/Deployment/cart')?.weight).toBeCloseTo(0.35 * 0.15);
    expect(at('catalog', 'shop/Deployment/frontend')?.weight).toBe(0.2);
  });

  it('keeps the callee blamed when the caller is only suspected (other callers fare better), not shown wrong', () => {
    const suspected = impatientCart().map((x) =>
      x.kind === 'misrouted' ? { ...x, definite: undefined } : x,
    );
    const out = callerExplained(suspected);
    expect(out.filter((x) => x.kind === 'unreachable').map((x) => x.weight)).toEqual([0.35, 0.3, 0.2]);
  });

  it('does not let a callee the caller is at fault towards take the caller’s trouble away', () => {
    const cfg = sus('shop/ConfigMap/cart-config', 0.7, ['cart'], ['misrouted', 'errors']);
    const r = rank(evidence(impatientCart(), [cfg], [['cart', 'catalog']]), index);
    expect(r.candidates.map((c) => c.entity).slice(0, 2)).toEqual([
      'shop/ConfigMap/cart-config',
      'shop/Deployment/cart',
    ]);
    const cart = r.candidates.find((c) => c.entity === 'shop/Deployment/cart');
    expect(cart?.discounts.join(' ')).not.toMatch(/passed on from Deployment\/catalog/);
  });

  it('ranks the object whose change explains a loud workload above it, not below', () => {
    const symptoms = [
      sym('cart', 'errors', 1, 'traces'),
      sym('cart', 'errors', 0.9, 'logs'),
      sym('cart', 'misrouted', 1),
      sym('cart', 'latency', 0.8),
    ];
    // its ConfigMap changed, and a routine rollout of cart itself shortly before adds to cart's own score
    const cfg = sus('shop/ConfigMap/cart-config', 0.6, ['cart'], ['misrouted', 'errors', 'latency']);
    const rollout = sus('shop/Deployment/cart', 0.4, ['cart'], ['errors', 'latency'], T - 60_000);
    const r = rank(evidence(symptoms, [cfg, rollout]), index);
    expect(r.candidates[0].entity).toBe('shop/ConfigMap/cart-config');
    expect(r.candidates[1].discounts.join(' ')).toMatch(/ranked below ConfigMap\/cart-config/);
  });

  it('does not let a callee whose trouble began well after the caller’s take the caller’s away', () => {
    const late = (x: Symptom): Symptom => ({ ...x, at: T + 60_000 });
    const r = rank(
      evidence(
        [
          sym('checkout', 'errors', 0.9),
          sym('checkout', 'errors', 0.8, 'logs'),
          late(sym('cart', 'errors', 0.7)),
        ],
        [],
        [['checkout', 'cart']],
      ),
      index,
    );
    expect(r.candidates[0].entity).toBe('shop/Deployment/checkout');
    expect(r.candidates[0].discounts.join(' ')).not.toMatch(/passed on/);
  });

  it('dates a caller from its clear trouble, not from a faint sign a minute before its callee failed', () => {
    const r = rank(
      evidence(
        [
          // a latency alert pending under background load, 92 s before the store failed
          at(sym('cart', 'latency', 0.21, 'alerts'), T - 100_000),
          sym('cart', 'errors', 0.8, 'logs'),
          sym('cart', 'errors', 0.5, 'alerts'),
          at(sym('redis', 'errors', 0.8, 'logs'), T - 8_000),
          at(sym('redis', 'errors', 0.55), T - 8_000),
        ],
        [],
        [['cart', 'redis']],
      ),
      index,
    );
    expect(r.candidates[0].entity).toBe('shop/Deployment/redis');
    const cart = r.candidates.find((c) => c.entity === 'shop/Deployment/cart');
    expect(cart?.discounts.join(' ')).toMatch(/passed on from Deployment\/redis/);
  });

  it('lets a callee that failed later take what of the caller’s trouble came with it, not the earlier sign', () => {
    const r = rank(
      evidence(
        [
          // a latency alert firing under background load, a minute before the database refused everyone
          at(sym('checkout', 'latency', 0.34, 'alerts'), T - 60_000),
          sym('checkout', 'errors', 0.5, 'alerts'),
          sym('checkout', 'unreachable', 0.7),
          at(sym('postgres', 'errors', 1), T - 10_000),
          at(sym('postgres', 'errors', 0.8, 'logs'), T - 10_000),
        ],
        [],
        [['checkout', 'postgres']],
      ),
      index,
    );
    expect(r.candidates[0].entity).toBe('shop/Deployment/postgres');
    const checkout = r.candidates.find((c) => c.entity === 'shop/Deployment/checkout');
    expect(checkout?.discounts.join(' ')).toMatch(/passed on from Deployment\/postgres/);
  });

  it('does not let a callee whose trouble was over before the caller’s began take it away', () => {
    const episode = (x: Symptom): Symptom => ({ ...x, at: T - 100_000, over: true, until: T - 60_000 });
    const r = rank(
      evidence(
        [
          // an earlier episode at inventory: its error alert fired and resolved a minute before
          episode(sym('inventory', 'errors', 0.5, 'alerts')),
          episode(sym('inventory', 'unreachable', 0.3, 'alerts')),
          sym('checkout', 'errors', 1),
          sym('checkout', 'errors', 0.5, 'alerts'),
        ],
        [],
        [['checkout', 'inventory']],
      ),
      index,
    );
    expect(r.candidates[0].entity).toBe('shop/Deployment/checkout');
    expect(r.candidates[0].discounts.join(' ')).not.toMatch(/passed on/);
  });

  it('does not let a callee its callers saw nothing wrong with take their trouble away', () => {
    // inventory: a pod deleted and replaced beside a healthy sibling, memory up; catalog's calls to it fine
    const r = rank(
      evidence(
        [
          sym('catalog', 'latency', 0.9),
          sym('catalog', 'unreachable', 0.56, 'logs'),
          sym('inventory', 'unavailable', 0.39, 'events'),
          sym('inventory', 'memory', 0.22, 'metrics'),
          sym('inventory', 'not-ready', 0.05, 'alerts'),
        ],
        [],
        [['catalog', 'inventory']],
      ),
      index,
    );
    expect(r.candidates[0].entity).toBe('shop/Deployment/catalog');
    expect(r.candidates[0].discounts.join(' ')).not.toMatch(/passed on/);
  });

  it('lets a callee in trouble take at most half of what a caller at fault on another edge passes on', () => {
    const r = rank(
      evidence(
        [
          sym('checkout', 'unreachable', 0.7),
          sym('checkout', 'errors', 0.5, 'alerts'),
          sym('checkout', 'not-ready', 0.36, 'alerts'),
          { ...sym('checkout', 'misrouted', 0.35), peer: 'shop/Deployment/payment', definite: true },
          // cart: restarted by a routine rollout meanwhile, slow for a while
          sym('cart', 'latency', 0.34, 'alerts'),
          sym('cart', 'memory', 0.31, 'metrics'),
          sym('cart', 'errors', 0.25, 'alerts'),
        ],
        [],
        [
          ['checkout', 'cart'],
          ['checkout', 'payment'],
        ],
      ),
      index,
    );
    expect(r.candidates[0].entity).toBe('shop/Deployment/checkout');
    expect(r.candidates[0].discounts.join(' ')).toMatch(/−50% of them/);
  });

  it('counts all of a callee’s trouble once its callers could see some of it', () => {
    // payment: OOM-killed (not something callers see) and refusing some calls (something they do)
    const r = rank(
      evidence(
        [
          sym('checkout', 'errors', 0.9),
          sym('payment', 'oom', 0.85, 'metrics'),
          sym('payment', 'unreachable', 0.25, 'logs'),
        ],
        [],
        [['checkout', 'payment']],
      ),
      index,
    );
    expect(r.candidates[0].entity).toBe('shop/Deployment/payment');
    // 0.85 × min(1, (0.85 + 0.7 × 0.25) / 0.6): the whole trouble, not the 0.175 callers saw (a 25 % cut)
    expect(r.candidates.find((c) => c.entity === 'shop/Deployment/checkout')?.discounts.join(' ')).toMatch(
      /−85% of them/,
    );
  });

  it('dates a caller with no clear trouble from its first faint sign, as before', () => {
    const r = rank(
      evidence(
        [
          sym('cart', 'errors', 0.25, 'metrics'),
          sym('cart', 'latency', 0.22, 'alerts'),
          at(sym('redis', 'errors', 0.8, 'logs'), T + 60_000),
        ],
        [],
        [['cart', 'redis']],
      ),
      index,
    );
    const cart = r.candidates.find((c) => c.entity === 'shop/Deployment/cart');
    expect(cart).toBeDefined();
    expect(cart?.discounts.join(' ')).not.toMatch(/passed on/);
  });
});
