import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openBundle } from '../bundle/bundle-reader.js';
import { INJECTED_AT, writeIncidentBundle } from '../bundle/testing/incident-bundle.js';
import { diffBundles } from './bundle-diff.js';
import { comparableEntity, readBundleFacts, type BundleFacts } from './bundle-facts.js';
import { environmentDrift } from './environment-drift.js';
import { renderDiff } from './render-diff.js';
import { timelineSpell } from './testing/timeline-spell.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fd-diff-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function facts(sub: string, opts: Parameters<typeof writeIncidentBundle>[1]): Promise<BundleFacts> {
  const path = await writeIncidentBundle(join(dir, sub), opts);
  const b = await openBundle(path);
  try {
    return await readBundleFacts(b);
  } finally {
    await b.close();
  }
}

describe('readBundleFacts', () => {
  it('reads the incident: alerts without background ones, time to manifest, RED per service', async () => {
    const f = await facts('facts', {});
    expect(f.incident.firingAlerts).toEqual([
      'ShopHighLatencyP95@shop/checkout',
      'ShopHighLatencyP95@shop/payment',
    ]);
    expect(f.backgroundAlerts).toEqual(['ShopCacheHitRatioLow']);
    expect(f.timeToManifestMs).toBe(90_000);
    expect(f.services.payment.rate).toBeCloseTo(4);
    expect(f.services.payment.errorRatio).toBe(0);
    // every request after the injection took 1.3 s: p95 inside the (1, 2.5] bucket
    expect(f.services.payment.p95Ms).toBeGreaterThan(1000);
    expect(f.services.cart.p95Ms).toBeLessThan(50);
    expect(f.eventReasons).toEqual({ 'Warning Unhealthy shop/Pod/payment-*': 4 });
    expect(f.topology.entities).toContain('shop/Pod/payment-*');
    expect(f.topology.entities).toContain('shop/ReplicaSet/payment-*');
    expect(f.topology.edges).toContain('shop/Deployment/payment -owns-> shop/ReplicaSet/payment-*');
    expect(f.faults).toEqual(['app-latency shop/Deployment/payment']);
  });
});

describe('readBundleFacts: alerts at the edges of the comparison', () => {
  // the fixture's payment alert is pending from 60 s after the injection and fires at 90 s; checkout's
  // is pending from 65 s and fires at 95 s
  const firingAt = INJECTED_AT + 90_000;
  const iso = (ms: number): string => new Date(ms).toISOString();
  const spell = (service: string, state: 'pending' | 'firing', start: number, end: number | null) =>
    timelineSpell('ShopHighErrorRate', { namespace: 'shop', service }, state, start, end);

  it('keeps apart what was pending at the cut and fired later, or was pending until capture', async () => {
    const f = await facts('edge', {
      recipe: { stableUntil: iso(firingAt - 10_000) },
      extraTimeline: [
        // pending from before the cut until capture: its condition held, the window closed first
        spell('frontend', 'pending', firingAt - 15_000, null),
        // pending only after the cut: neither the incident's nor at its edge
        spell('cart', 'pending', firingAt - 5_000, null),
        // pending across the cut, then cleared without firing: no alert at all
        spell('catalog', 'pending', firingAt - 20_000, firingAt - 5_000),
        // pending since before the first fault, firing after it: the run's own background
        spell('currency', 'pending', INJECTED_AT - 10_000, INJECTED_AT + 20_000),
        spell('currency', 'firing', INJECTED_AT + 25_000, null),
      ],
    });
    expect(f.incident.firingAlerts).toEqual([]);
    expect(f.incident.borderline).toEqual([
      'ShopHighErrorRate@shop/currency',
      'ShopHighErrorRate@shop/frontend',
      'ShopHighLatencyP95@shop/checkout',
      'ShopHighLatencyP95@shop/payment',
    ]);
    // a cut before either spell began: nothing of them is at its edge
    const early = await facts('edge-early', { recipe: { stableUntil: iso(firingAt - 31_000) } });
    expect(early.incident.borderline).toEqual([]);
  });

  it('calls two runs the same incident when one fired what the other had pending at its cut, and lists it', async () => {
    const a = await facts('edge-a', {});
    const b = await facts('edge-b', { podHash: 'zz9', recipe: { stableUntil: iso(firingAt + 2_000) } });
    // B stopped comparing 2 s after payment fired, 3 s before checkout did
    expect(b.incident.firingAlerts).toEqual(['ShopHighLatencyP95@shop/payment']);
    const d = diffBundles(a, b);
    expect(d.verdict).toBe('reproduced');
    expect(d.incident.alertsSharedAtEdge).toEqual(['ShopHighLatencyP95@shop/checkout']);
    expect(renderDiff(d)).toContain(
      '~ ShopHighLatencyP95@shop/checkout (fired in A; at an edge of the other)',
    );
  });
});

describe('comparableEntity', () => {
  it('reduces pods and ReplicaSets to their workload, leaves the rest', () => {
    expect(comparableEntity('shop/Pod/cart-7d4b9c6f5d-x2x9k')).toBe('shop/Pod/cart-*');
    expect(comparableEntity('shop/Pod/cart-0')).toBe('shop/Pod/cart-*');
    expect(comparableEntity('shop/ReplicaSet/cart-4c3746b9a1')).toBe('shop/ReplicaSet/cart-*');
    expect(comparableEntity('shop/ConfigMap/cart-config')).toBe('shop/ConfigMap/cart-config');
    expect(comparableEntity('Node/worker-1')).toBe('Node/worker-1');
  });
});

describe('diffBundles', () => {
  it('calls a re-run with new pod names and a slightly later alert "reproduced"', async () => {
    const a = await facts('a', {});
    const b = await facts('b', { podHash: '5f6c8d9e0a', manifestAfterMs: 100_000 });
    const d = diffBundles(a, b);
    expect(d.verdict).toBe('reproduced');
    expect(d.incident.jaccard).toBe(1);
    expect(d.topology.entities.added).toEqual([]);
    expect(d.topology.entities.missing).toEqual([]);
    expect(d.timeToManifest).toEqual({ aMs: 90_000, bMs: 100_000, notable: false });
    expect(d.services.every((s) => s.notable.length === 0)).toBe(true);
    const text = renderDiff(d);
    expect(text).toMatch(/^reproduced: firing alerts agree: Jaccard 1\.00 ≥ 0\.8; same root causes$/m);
    expect(text).toMatch(/background alerts left out: ShopCacheHitRatioLow/);
  });

  it('calls another fault "differs" and says what moved', async () => {
    const a = await facts('c', {});
    const b = await facts('d', { fault: 'errors', manifestAfterMs: 150_000 });
    const d = diffBundles(a, b);
    expect(d.verdict).toBe('differs');
    expect(d.incident.jaccard).toBe(0);
    expect(d.incident.alertsOnlyB).toEqual([
      'ShopHighErrorRate@shop/checkout',
      'ShopHighErrorRate@shop/payment',
    ]);
    expect(d.timeToManifest.notable).toBe(true);
    const payment = d.services.find((s) => s.service === 'payment');
    expect(payment?.notable).toEqual(['errorRatio', 'p95']);
    expect(d.events.added).toEqual(['Warning BackOff shop/Pod/payment-*']);
    expect(d.events.missing).toEqual(['Warning Unhealthy shop/Pod/payment-*']);
    expect(d.faults).toEqual({
      a: ['app-latency shop/Deployment/payment'],
      b: ['app-error-rate shop/Deployment/payment'],
    });
    const text = renderDiff(d);
    expect(text).toMatch(/^differs: firing alerts differ: Jaccard 0\.00 < 0\.8; same root causes$/m);
    expect(text).toMatch(/^ {2}\+ ShopHighErrorRate@shop\/payment$/m);
    expect(text).toMatch(/^! payment .*\(errorRatio, p95\)$/m);
  });

  it('calls different root causes "differs" even with the same alerts', async () => {
    const a = await facts('e', {});
    const b: BundleFacts = { ...a, incident: { ...a.incident, rootCauseIds: ['shop/Deployment/cart'] } };
    const d = diffBundles(a, b);
    expect(d.verdict).toBe('differs');
    expect(d.incident.detail).toBe('firing alerts agree: Jaccard 1.00 ≥ 0.8; root causes differ');
  });
});

describe('environmentDrift', () => {
  it('compares versions and images by workload, with digests unless told not to', () => {
    const recorded = {
      firedrill: '0.1.0',
      node: 'v20.20.2',
      tools: { prometheus: { version: '2.42.0+ds' } },
      images: { 'shop/cart-5d9f7c8b6d-x7k2p/cart': { image: 'acme/shop:0.1.0', imageID: 'sha256:aa' } },
    };
    const later = {
      firedrill: '0.2.0',
      node: 'v20.20.2',
      tools: { prometheus: { version: '2.53.0' } },
      images: { 'shop/cart-6c8e9f0a1b-q4w5e/cart': { image: 'acme/shop:0.1.0', imageID: 'sha256:bb' } },
    };
    expect(environmentDrift(recorded, later)).toEqual([
      { what: 'firedrill', recorded: '0.1.0', current: '0.2.0' },
      {
        what: 'image shop/cart/cart',
        recorded: 'acme/shop:0.1.0@sha256:aa',
        current: 'acme/shop:0.1.0@sha256:bb',
      },
      { what: 'tool prometheus', recorded: '2.42.0+ds', current: '2.53.0' },
    ]);
    expect(environmentDrift(recorded, later, { digests: false }).map((d) => d.what)).toEqual([
      'firedrill',
      'tool prometheus',
    ]);
  });
});
