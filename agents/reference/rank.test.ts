import { EntityIndex } from './entity-index.js';
import type { Evidence, Suspect, Symptom } from './evidence.js';
import { rank, timeFit } from './rank.js';
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
});
