import type { SpanRecord, Topology } from '../bundle/records.js';
import { propagationOf } from './propagation.js';

const t0 = Date.parse('2025-01-01T00:01:00Z');
const at = (s: number): string => new Date(t0 + s * 1000).toISOString();

/** payment ← checkout ← frontend, each Deployment → ReplicaSet → Pod, each Service selecting its pod. */
function shop(): Topology {
  const edges: Topology['edges'] = [];
  for (const n of ['payment', 'checkout', 'frontend']) {
    edges.push(
      { from: `shop/Deployment/${n}`, to: `shop/ReplicaSet/${n}-abc`, type: 'owns' },
      { from: `shop/ReplicaSet/${n}-abc`, to: `shop/Pod/${n}-abc-12345`, type: 'owns' },
      { from: `shop/Service/${n}`, to: `shop/Pod/${n}-abc-12345`, type: 'selects' },
    );
  }
  edges.push(
    { from: 'shop/Deployment/checkout', to: 'shop/Service/payment', type: 'calls' },
    { from: 'shop/Deployment/frontend', to: 'shop/Service/checkout', type: 'calls' },
    { from: 'shop/Pod/payment-abc-12345', to: 'shop/Secret/payment-key', type: 'uses' },
  );
  return { entities: [], edges };
}

describe('propagationOf', () => {
  it('follows the topology from the cause to every alerting entity, in the direction harm travels', () => {
    const p = propagationOf({
      rootCauses: [{ id: 'shop/Secret/payment-key', aliases: [] }],
      topology: shop(),
      alerts: {
        active: [],
        timeline: [
          {
            alertname: 'ShopHighErrorRate',
            labels: { namespace: 'shop', service: 'frontend' },
            state: 'firing',
            start: at(40),
            end: null,
          },
          {
            alertname: 'ShopDependencyErrors',
            labels: { namespace: 'shop', service: 'checkout', dependency: 'payment' },
            state: 'firing',
            start: at(30),
            end: null,
          },
          // Over before the fault: not the incident's.
          {
            alertname: 'ShopHighLatencyP95',
            labels: { namespace: 'shop', service: 'payment' },
            state: 'firing',
            start: at(-90),
            end: at(-60),
          },
        ],
      },
      events: [
        {
          type: 'Warning',
          reason: 'BackOff',
          message: 'Back-off restarting failed container',
          involvedObject: { kind: 'Pod', namespace: 'shop', name: 'payment-abc-12345' },
          firstTimestamp: at(5),
          lastTimestamp: at(20),
          count: 3,
          source: { component: 'kubelet' },
          entity: 'shop/Pod/payment-abc-12345',
        },
      ],
      spans: [],
      injectedAt: t0,
    }).get('shop/Secret/payment-key');
    expect(p?.map((x) => [x.symptom, x.alerts, x.reached])).toEqual([
      ['shop/Service/checkout', ['ShopDependencyErrors'], true],
      ['shop/Service/frontend', ['ShopHighErrorRate'], true],
    ]);
    const toFrontend = p?.[1].path ?? [];
    expect(toFrontend.map((h) => `${h.edge} ${h.to}`)).toEqual([
      'used-by shop/Pod/payment-abc-12345',
      'selected-by shop/Service/payment',
      'called-by shop/Deployment/checkout',
      'owns shop/ReplicaSet/checkout-abc',
      'owns shop/Pod/checkout-abc-12345',
      'selected-by shop/Service/checkout',
      'called-by shop/Deployment/frontend',
      'owns shop/ReplicaSet/frontend-abc',
      'owns shop/Pod/frontend-abc-12345',
      'selected-by shop/Service/frontend',
    ]);
    expect(toFrontend[0].effects).toEqual(['event BackOff']);
    expect(toFrontend.at(-1)?.effects).toEqual(['alert ShopHighErrorRate']);
  });

  it("reaches a refused workload's alert from the LimitRange that limits it", () => {
    const topology = shop();
    topology.edges.push({ from: 'shop/LimitRange/limits', to: 'shop/Deployment/payment', type: 'limits' });
    const p = propagationOf({
      rootCauses: [{ id: 'shop/LimitRange/limits', aliases: [] }],
      topology,
      alerts: {
        active: [],
        timeline: [
          {
            alertname: 'KubeDeploymentReplicasMismatch',
            labels: { namespace: 'shop', deployment: 'payment' },
            state: 'firing',
            start: at(60),
            end: null,
          },
        ],
      },
      events: [],
      spans: [],
      injectedAt: t0,
    }).get('shop/LimitRange/limits');
    expect(p).toEqual([
      {
        symptom: 'shop/Deployment/payment',
        alerts: ['KubeDeploymentReplicasMismatch'],
        reached: true,
        path: [
          {
            from: 'shop/LimitRange/limits',
            to: 'shop/Deployment/payment',
            edge: 'limits',
            effects: ['alert KubeDeploymentReplicasMismatch'],
          },
        ],
      },
    ]);
  });

  it('marks a symptom the topology cannot link to the cause', () => {
    const p = propagationOf({
      rootCauses: [{ id: 'shop/Deployment/payment', aliases: [] }],
      topology: { entities: [], edges: [] },
      alerts: {
        active: [],
        timeline: [
          {
            alertname: 'X',
            labels: { namespace: 'shop', service: 'cart' },
            state: 'firing',
            start: at(1),
            end: null,
          },
        ],
      },
      events: [],
      spans: [],
      injectedAt: t0,
    }).get('shop/Deployment/payment');
    expect(p).toEqual([{ symptom: 'shop/Service/cart', alerts: ['X'], reached: false, path: [] }]);
  });

  it('follows messages from a producer to its consumers, which the topology shows only as broker calls', () => {
    const topology: Topology = {
      entities: [],
      edges: [
        { from: 'shop/Deployment/checkout', to: 'shop/Pod/checkout-abc-12345', type: 'owns' },
        { from: 'shop/Deployment/fulfillment', to: 'shop/Pod/fulfillment-abc-12345', type: 'owns' },
        { from: 'shop/Deployment/checkout', to: 'shop/Service/redis', type: 'calls' },
        { from: 'shop/Deployment/fulfillment', to: 'shop/Service/redis', type: 'calls' },
      ],
    };
    const span = (
      spanId: string,
      parentSpanId: string | null,
      service: string,
      kind: 'producer' | 'consumer',
    ) => ({
      traceId: 't1',
      spanId,
      parentSpanId,
      name: kind === 'producer' ? 'orders publish' : 'orders process',
      service,
      entity: `shop/Pod/${service}-abc-12345`,
      kind,
      start: at(30),
      end: at(30),
      durationMs: 2,
      status: 'ok' as const,
      attributes: {},
    });
    const inputs = {
      rootCauses: [{ id: 'shop/Deployment/checkout', aliases: [] }],
      topology,
      alerts: {
        active: [],
        timeline: [
          {
            alertname: 'KubePodCrashLooping',
            labels: { namespace: 'shop', deployment: 'fulfillment' },
            state: 'firing' as const,
            start: at(40),
            end: null,
          },
        ],
      },
      events: [],
      injectedAt: t0,
    };
    const reached = (spans: SpanRecord[]) =>
      propagationOf({ ...inputs, spans }).get('shop/Deployment/checkout')?.[0];
    expect(
      reached([span('p1', 'x', 'checkout', 'producer'), span('c1', 'p1', 'fulfillment', 'consumer')]),
    ).toEqual({
      symptom: 'shop/Deployment/fulfillment',
      alerts: ['KubePodCrashLooping'],
      reached: true,
      path: [
        {
          from: 'shop/Deployment/checkout',
          to: 'shop/Deployment/fulfillment',
          edge: 'delivers-to',
          effects: ['alert KubePodCrashLooping'],
        },
      ],
    });
    // Both only calling the broker: the consumer's trouble is not the producer's doing.
    expect(reached([])?.reached).toBe(false);
  });

  it("reaches a quota's and an autoscaler's own alerts from those root causes (the alert names its object)", () => {
    const firing = (alertname: string, labels: Record<string, string>) => ({
      alertname,
      labels: { namespace: 'shop', ...labels },
      state: 'firing' as const,
      start: at(30),
      end: null,
    });
    const p = propagationOf({
      rootCauses: [
        { id: 'shop/ResourceQuota/shipping-quota', aliases: [] },
        { id: 'shop/HorizontalPodAutoscaler/frontend', aliases: [] },
      ],
      topology: shop(),
      alerts: {
        active: [],
        timeline: [
          firing('KubeQuotaFullyUsed', { resourcequota: 'shipping-quota', resource: 'pods' }),
          firing('KubeHpaMaxedOut', { horizontalpodautoscaler: 'frontend' }),
        ],
      },
      events: [],
      spans: [],
      injectedAt: t0,
    });
    expect(p.get('shop/ResourceQuota/shipping-quota')).toContainEqual({
      symptom: 'shop/ResourceQuota/shipping-quota',
      alerts: ['KubeQuotaFullyUsed'],
      reached: true,
      path: [],
    });
    expect(p.get('shop/HorizontalPodAutoscaler/frontend')).toContainEqual({
      symptom: 'shop/HorizontalPodAutoscaler/frontend',
      alerts: ['KubeHpaMaxedOut'],
      reached: true,
      path: [],
    });
  });
});
