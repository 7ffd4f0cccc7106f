import { blameCredentials } from './credential-blame.js';
import { EntityIndex } from './entity-index.js';
import type { Symptom } from './evidence.js';
import type { PodLife } from './pod-lifecycle.js';
import { SyntheticShop } from './testing/synthetic-shop.js';

const T = Date.parse('2030-03-01T10:02:00Z');
const POD = 'shop/Pod/cart-7d9f8c6b5-abcde';

/** cart's pods restarted 20 s before their first rejected login, as after any rollout of cart. */
function blame(history: { recorded: boolean; secretChanged: boolean }) {
  const snap = new SyntheticShop({ durationS: 10 }).build();
  snap.historyRecorded = history.recorded;
  if (history.secretChanged)
    snap.objectChanges.push({
      at: T - 30_000,
      action: 'MODIFIED',
      entity: 'shop/Secret/redis-auth',
      object: null,
    });
  const index = new EntityIndex(snap);
  const cart = index.workloads.get('shop/Deployment/cart');
  if (!cart) throw new Error('synthetic shop has no cart');
  const pods = new Map<string, PodLife>([
    [
      POD,
      {
        id: POD,
        started: T - 20_000,
        killed: [],
        livenessKills: [],
        livenessFailures: [],
        firstLog: T - 19_000,
        lastLog: T,
      },
    ],
  ]);
  const rejects: Symptom = {
    signal: 'logs',
    workload: 'shop/Deployment/redis',
    kind: 'auth-rejects',
    weight: 0.8,
    at: T,
    detail: 'rejects cart',
  };
  const suspects = blameCredentials('logs', cart, 'shop/Deployment/redis', new Map([[POD, T]]), index, pods, [
    rejects,
  ]);
  return { secret: suspects.find((s) => s.entity === 'shop/Secret/redis-auth'), rejects };
}

describe('blameCredentials after a restart', () => {
  it('blames the Secret the restarted pods read when it changed in the window', () => {
    const { secret, rejects } = blame({ recorded: true, secretChanged: true });
    expect(secret?.weight).toBeGreaterThanOrEqual(0.75);
    expect(rejects.weight).toBeCloseTo(0.8 * 0.35);
    // the server's rejections of that credential are the Secret's doing too
    expect(secret?.affects).toEqual(['shop/Deployment/cart', 'shop/Deployment/redis']);
    expect(secret?.explains).toContain('auth-rejects');
  });

  it('keeps the server blamed when the history shows the Secret unchanged: the server is what changed', () => {
    const { secret, rejects } = blame({ recorded: true, secretChanged: false });
    expect(secret?.weight).toBeLessThanOrEqual(0.2);
    expect(secret?.detail).toMatch(/did not change in the window/);
    expect(rejects.weight).toBe(0.8);
    expect(secret?.affects).toEqual(['shop/Deployment/cart']);
  });

  it('without a recorded history, a restart still points at the Secret', () => {
    const { secret } = blame({ recorded: false, secretChanged: false });
    expect(secret?.weight).toBeGreaterThanOrEqual(0.75);
  });
});
