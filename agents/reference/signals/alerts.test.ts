import { EntityIndex } from '../entity-index.js';
import { SyntheticShop } from '../testing/synthetic-shop.js';
import { alertSignal } from './alerts.js';

describe('alertSignal', () => {
  it('maps alerts to workloads, discounting one that flaps by itself', () => {
    const shop = new SyntheticShop({ durationS: 200 });
    shop.alert('ShopHighErrorRate', { service: 'catalog', severity: 'critical' }, [
      { state: 'pending', from: 100, to: 130 },
      { state: 'firing', from: 130, to: null },
    ]);
    shop.alert('ShopHighLatencyP95', { service: 'shipping', severity: 'info' }, [
      { state: 'pending', from: 10, to: 30 },
      { state: 'pending', from: 60, to: 80 },
    ]);
    const snap = shop.build();
    const ev = alertSignal(snap, new EntityIndex(snap));
    const catalog = ev.symptoms.find((s) => s.workload === 'shop/Deployment/catalog');
    const shipping = ev.symptoms.find((s) => s.workload === 'shop/Deployment/shipping');
    expect(catalog).toMatchObject({ kind: 'errors', weight: 0.5, at: shop.t(100) });
    expect(shipping?.weight).toBeLessThan(0.1);
    expect(shipping?.detail).toMatch(/flapping/);
  });

  it('counts an alert that fired and resolved before the capture as an episode of its own', () => {
    const shop = new SyntheticShop({ durationS: 200 });
    shop.alert('ShopHighErrorRate', { service: 'cart', severity: 'critical' }, [
      { state: 'pending', from: 10, to: 40 },
      { state: 'firing', from: 40, to: 80 },
    ]);
    shop.alert('ShopHighErrorRate', { service: 'payment', severity: 'critical' }, [
      { state: 'pending', from: 100, to: 130 },
      { state: 'firing', from: 130, to: null },
    ]);
    const snap = shop.build();
    const ev = alertSignal(snap, new EntityIndex(snap));
    const cart = ev.symptoms.find((s) => s.workload === 'shop/Deployment/cart');
    const payment = ev.symptoms.find((s) => s.workload === 'shop/Deployment/payment');
    expect(cart).toMatchObject({ weight: 0.25, over: true, at: shop.t(10) });
    expect(cart?.detail).toMatch(/resolved at/);
    expect(payment).toMatchObject({ weight: 0.5, at: shop.t(100) });
    expect(payment?.over).toBeUndefined();
  });

  it('dates the trouble still going on from its own start, not from a pending blip of the same series minutes before', () => {
    const shop = new SyntheticShop({ durationS: 300 });
    // One evaluation pending while a routine rollout started the pod, then the incident's stretch.
    shop.alert('KubePodNotReady', { pod: shop.podsOf('frontend')[0].name, severity: 'warning' }, [
      { state: 'pending', from: 20, to: 20 },
      { state: 'pending', from: 140, to: 185 },
      { state: 'firing', from: 190, to: null },
    ]);
    const snap = shop.build();
    const ev = alertSignal(snap, new EntityIndex(snap));
    const onsets = ev.symptoms.filter((s) => s.weight >= 0.2).map((s) => s.at);
    expect(onsets).toEqual([shop.t(140)]);
  });

  it('counts an earlier fired episode of the same alert on its own, not as the start of the one still firing', () => {
    const shop = new SyntheticShop({ durationS: 200 });
    shop.alert('ShopHighErrorRate', { service: 'checkout', severity: 'critical' }, [
      { state: 'firing', from: 0, to: 30 },
      { state: 'pending', from: 75, to: 100 },
      { state: 'firing', from: 105, to: null },
    ]);
    const snap = shop.build();
    const ev = alertSignal(snap, new EntityIndex(snap));
    const checkout = ev.symptoms.filter((s) => s.workload === 'shop/Deployment/checkout');
    expect(checkout).toEqual([
      expect.objectContaining({ weight: 0.25, over: true, at: shop.t(0) }),
      expect.objectContaining({ weight: 0.5, at: shop.t(75) }),
    ]);
    expect(checkout[1].over).toBeUndefined();
    // a dip under the threshold for a few evaluations is the same episode
    const dip = new SyntheticShop({ durationS: 200 });
    dip.alert('ShopHighErrorRate', { service: 'checkout', severity: 'critical' }, [
      { state: 'firing', from: 0, to: 30 },
      { state: 'pending', from: 50, to: 75 },
      { state: 'firing', from: 75, to: null },
    ]);
    const dipSnap = dip.build();
    expect(
      alertSignal(dipSnap, new EntityIndex(dipSnap)).symptoms.filter(
        (s) => s.workload === 'shop/Deployment/checkout',
      ),
    ).toEqual([expect.objectContaining({ weight: 0.5, at: dip.t(0) })]);
  });

  it('takes an alert active at capture as still going on, though its timeline ended a moment before', () => {
    const shop = new SyntheticShop({ durationS: 200 });
    shop.alert('ShopHighErrorRate', { service: 'payment', severity: 'critical' }, [
      { state: 'pending', from: 100, to: 130 },
      { state: 'firing', from: 130, to: 195 },
    ]);
    const snap = shop.build();
    snap.alerts.active.push({
      alertname: 'ShopHighErrorRate',
      state: 'firing',
      labels: snap.alerts.timeline[0].labels,
      annotations: {},
      activeAt: shop.iso(100),
    });
    const payment = alertSignal(snap, new EntityIndex(snap)).symptoms.filter(
      (s) => s.workload === 'shop/Deployment/payment',
    );
    expect(payment).toEqual([expect.objectContaining({ weight: 0.5, at: shop.t(100) })]);
    expect(payment[0].over).toBeUndefined();
  });

  it('points failing-call alerts at the dependency, and object alerts at the object', () => {
    const shop = new SyntheticShop({ durationS: 200 });
    const pod = shop.podsOf('checkout')[0].name;
    shop.alert('ShopDependencyErrors', { service: 'checkout', dependency: 'payment' }, [
      { state: 'firing', from: 100, to: null },
    ]);
    shop.alert('KubePodCrashLooping', { pod, container: 'checkout' }, [
      { state: 'firing', from: 100, to: null },
    ]);
    shop.alert('KubeQuotaFullyUsed', { resourcequota: 'shop-quota', resource: 'pods' }, [
      { state: 'firing', from: 100, to: null },
    ]);
    const snap = shop.build();
    const ev = alertSignal(snap, new EntityIndex(snap));
    expect(ev.symptoms.map((s) => [s.workload, s.kind])).toEqual(
      expect.arrayContaining([
        ['shop/Deployment/payment', 'unreachable'],
        ['shop/Deployment/checkout', 'crash'],
      ]),
    );
    expect(ev.calls).toContainEqual({ from: 'shop/Deployment/checkout', to: 'shop/Deployment/payment' });
    expect(ev.suspects.map((s) => s.entity)).toEqual(['shop/ResourceQuota/shop-quota']);
  });
});
