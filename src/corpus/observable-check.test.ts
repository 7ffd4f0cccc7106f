import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openBundle } from '../bundle/bundle-reader.js';
import type { EventRecord, LogRecord, SpanRecord } from '../bundle/records.js';
import { checkObservable } from './observable-check.js';
import {
  INJECTED,
  T0,
  stepSeries,
  writeSyntheticBundle,
  type SyntheticSpec,
} from './testing/synthetic-bundle.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fd-observable-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const ROOT = { id: 'shop/Deployment/payment', aliases: ['shop/Pod/payment-0', 'shop/Service/payment'] };
const iso = (ms: number): string => new Date(ms).toISOString();

async function check(spec: Omit<SyntheticSpec, 'scenarioId'>) {
  const path = await writeSyntheticBundle(dir, 'b1', { scenarioId: 'payment-slow', ...spec });
  const b = await openBundle(path);
  try {
    return await checkObservable(b);
  } finally {
    await b.close();
  }
}

/** Telemetry that names the root cause but shows nothing wrong with it. */
const quietEvidence = {
  metrics: [stepSeries('latency_seconds', { namespace: 'shop', pod: 'payment-0' }, 0.1, 0.1)],
  logs: [
    {
      ts: iso(INJECTED + 10_000),
      entity: 'shop/Pod/payment-0',
      container: 'payment',
      stream: 'stdout',
      line: JSON.stringify({ level: 'info', msg: 'request completed', status: 200 }),
    } satisfies LogRecord,
  ],
};

describe('checkObservable', () => {
  it('is observable when the root cause appears only in a metric that moved', async () => {
    const r = await check({
      rootCauses: [ROOT],
      metrics: [
        stepSeries('latency_seconds', { namespace: 'shop', pod: 'payment-0' }, 0.1, 1.3),
        stepSeries('latency_seconds', { namespace: 'shop', pod: 'checkout-0' }, 0.2, 0.2),
      ],
    });
    expect(r.check.ok).toBe(true);
    expect(r.rootCauses[0]).toMatchObject({ observable: true, matched: 'shop/Pod/payment-0', via: null });
    expect(r.rootCauses[0].evidence[0].kind).toBe('metric');
    expect(r.check.detail).toMatch(/latency_seconds.*0\.100 → 1\.30/);
  });

  it('is not observable when nothing names the root cause as troubled', async () => {
    const r = await check({
      rootCauses: [ROOT],
      firing: [{ alertname: 'ShopHighLatencyP95', labels: { namespace: 'shop', service: 'checkout' } }],
      ...quietEvidence,
    });
    expect(r.check.ok).toBe(false);
    expect(r.check.detail).toMatch(/no evidence names shop\/Deployment\/payment/);
    expect(r.rootCauses[0].observable).toBe(false);
  });

  it('accepts an alert whose labels name an alias', async () => {
    const r = await check({
      rootCauses: [ROOT],
      firing: [{ alertname: 'ShopHighLatencyP95', labels: { namespace: 'shop', service: 'payment' } }],
    });
    expect(r.check.ok).toBe(true);
    expect(r.rootCauses[0].matched).toBe('shop/Service/payment');
    expect(r.rootCauses[0].evidence[0].kind).toBe('alert');
  });

  it('accepts events, trouble log lines and error spans, but only from the injection on', async () => {
    const event = (at: number): EventRecord => ({
      type: 'Warning',
      reason: 'BackOff',
      message: 'Back-off restarting failed container',
      involvedObject: { kind: 'Pod', namespace: 'shop', name: 'payment-0' },
      firstTimestamp: iso(at),
      lastTimestamp: iso(at),
      count: 1,
      source: { component: 'kubelet' },
      entity: 'shop/Pod/payment-0',
    });
    expect((await check({ rootCauses: [ROOT], events: [event(T0 + 1000)] })).check.ok).toBe(false);
    await rm(join(dir, 'b1'), { recursive: true });
    expect((await check({ rootCauses: [ROOT], events: [event(INJECTED + 1000)] })).check.ok).toBe(true);
    await rm(join(dir, 'b1'), { recursive: true });

    const log: LogRecord = {
      ts: iso(INJECTED + 5000),
      entity: 'shop/Pod/payment-0',
      container: 'payment',
      stream: 'stdout',
      line: JSON.stringify({ level: 'error', msg: 'charge failed' }),
    };
    expect((await check({ rootCauses: [ROOT], logs: [log] })).rootCauses[0].evidence[0].kind).toBe('log');
    await rm(join(dir, 'b1'), { recursive: true });

    const span: SpanRecord = {
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      parentSpanId: null,
      service: 'payment',
      name: 'POST /charge',
      start: iso(INJECTED + 5000),
      end: iso(INJECTED + 5100),
      durationMs: 100,
      status: 'error',
      attributes: {},
      entity: null,
    };
    const r = await check({ rootCauses: [ROOT], spans: [span] });
    expect(r.check.ok).toBe(true);
    expect(r.rootCauses[0].evidence[0].kind).toBe('span');
  });

  it('reaches a ConfigMap root cause through a pod that uses it', async () => {
    const cm = { id: 'shop/ConfigMap/payment-config' };
    const topology = {
      entities: [],
      edges: [{ from: 'shop/Pod/payment-0', to: 'shop/ConfigMap/payment-config', type: 'uses' as const }],
    };
    const troubled = await check({
      rootCauses: [cm],
      topology,
      firing: [{ alertname: 'KubePodCrashLooping', labels: { namespace: 'shop', pod: 'payment-0' } }],
    });
    expect(troubled.check.ok).toBe(true);
    expect(troubled.rootCauses[0].via).toBe('shop/Pod/payment-0');
    expect(troubled.check.detail).toMatch(/via shop\/Pod\/payment-0/);
    await rm(join(dir, 'b1'), { recursive: true });
    const quiet = await check({ rootCauses: [cm], topology, ...quietEvidence });
    expect(quiet.check.ok).toBe(false);
  });

  it('reaches a NetworkPolicy root cause through the pods it selects, not through pods it does not', async () => {
    const policy = { id: 'shop/NetworkPolicy/currency-allow-ingress' };
    const edges = [
      {
        from: 'shop/NetworkPolicy/currency-allow-ingress',
        to: 'shop/Pod/currency-0',
        type: 'selects' as const,
      },
    ];
    const selected = await check({
      rootCauses: [policy],
      topology: { entities: [], edges },
      firing: [{ alertname: 'ShopTargetDown', labels: { namespace: 'shop', pod: 'currency-0' } }],
    });
    expect(selected.rootCauses[0]).toMatchObject({ observable: true, via: 'shop/Pod/currency-0' });
    expect(selected.check.detail).toMatch(/via shop\/Pod\/currency-0 \(selected by it\)/);
    await rm(join(dir, 'b1'), { recursive: true });
    const elsewhere = await check({
      rootCauses: [policy],
      topology: { entities: [], edges },
      firing: [{ alertname: 'ShopTargetDown', labels: { namespace: 'shop', pod: 'payment-0' } }],
    });
    expect(elsewhere.rootCauses[0].observable).toBe(false);
  });

  it('reaches a LimitRange root cause through the workloads it limits, whose refusals never name it', async () => {
    const limits = { id: 'shop/LimitRange/container-limits' };
    const edges = [
      { from: 'shop/LimitRange/container-limits', to: 'shop/Deployment/cart', type: 'limits' as const },
    ];
    const refused = await check({
      rootCauses: [limits],
      topology: { entities: [], edges },
      firing: [
        { alertname: 'KubeDeploymentReplicasMismatch', labels: { namespace: 'shop', deployment: 'cart' } },
      ],
    });
    expect(refused.rootCauses[0]).toMatchObject({ observable: true, via: 'shop/Deployment/cart' });
    expect(refused.check.detail).toMatch(/via shop\/Deployment\/cart \(limited by it\)/);
    await rm(join(dir, 'b1'), { recursive: true });
    const quiet = await check({ rootCauses: [limits], topology: { entities: [], edges }, ...quietEvidence });
    expect(quiet.rootCauses[0].observable).toBe(false);
  });

  it('reads HorizontalPodAutoscaler and ResourceQuota names from alert labels', async () => {
    const r = await check({
      rootCauses: [
        { id: 'shop/HorizontalPodAutoscaler/frontend' },
        { id: 'shop/ResourceQuota/shop-compute' },
      ],
      firing: [
        { alertname: 'KubeHpaMaxedOut', labels: { namespace: 'shop', horizontalpodautoscaler: 'frontend' } },
        {
          alertname: 'KubeQuotaFullyUsed',
          labels: { namespace: 'shop', resourcequota: 'shop-compute', resource: 'pods' },
        },
      ],
    });
    expect(r.rootCauses.map((rc) => [rc.id, rc.observable, rc.evidence[0]?.kind])).toEqual([
      ['shop/HorizontalPodAutoscaler/frontend', true, 'alert'],
      ['shop/ResourceQuota/shop-compute', true, 'alert'],
    ]);
  });

  it('requires every root cause to be observable', async () => {
    const r = await check({
      rootCauses: [ROOT, { id: 'shop/Deployment/cart' }],
      firing: [{ alertname: 'ShopHighLatencyP95', labels: { namespace: 'shop', service: 'payment' } }],
    });
    expect(r.check.ok).toBe(false);
    expect(r.check.detail).toMatch(/shop\/Deployment\/cart/);
    expect(r.check.detail).not.toMatch(/shop\/Deployment\/payment/);
  });
});

describe('checkObservable, failed calls', () => {
  it('names the callee of a failed client call (peer.service) as evidence', async () => {
    const span: SpanRecord = {
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      parentSpanId: null,
      service: 'cart',
      name: 'HGETALL',
      start: iso(INJECTED + 5000),
      end: iso(INJECTED + 5100),
      durationMs: 100,
      status: 'error',
      attributes: { 'peer.service': 'redis', 'db.system': 'redis' },
      entity: 'shop/Pod/cart-0',
    };
    const r = await check({ rootCauses: [{ id: 'shop/Deployment/redis' }], spans: [span] });
    expect(r.check.ok).toBe(true);
    expect(r.rootCauses[0].evidence[0].detail).toBe('error span cart → redis: HGETALL');
  });
});
