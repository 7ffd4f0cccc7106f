import { BundleWriter } from '../bundle-writer.js';
import type { GroundTruth } from '../ground-truth.js';
import { SnapshotFile, TruthFile } from '../layout.js';
import type { ManifestFields } from '../manifest.js';
import type { AlertsFile, EventRecord, LogRecord, MetricSeries, SpanRecord, Topology } from '../records.js';

/**
 * A whole incident as capture writes one, small enough for unit tests of everything that reads a bundle
 * as a person or a tool would (diff, the HTML report, the OTLP and OpenMetrics exports): the shop's RED
 * metrics for four services, a pending → firing alert, a background alert, events, logs, traces with a
 * slow and a failing one, a topology, and every truth file. Deterministic for the same options.
 *
 * Window 10:00–10:10 UTC on 2025-01-01, fault at 10:05, metrics every 15 s.
 */

export const WINDOW_START = Date.UTC(2025, 0, 1, 10, 0, 0);
export const WINDOW_END = WINDOW_START + 10 * 60_000;
export const INJECTED_AT = WINDOW_START + 5 * 60_000;
export const STEP_MS = 15_000;
const iso = (ms: number): string => new Date(ms).toISOString();

export interface IncidentOptions {
  /** `latency`: payment slows down (ShopHighLatencyP95); `errors`: payment answers 500 (ShopHighErrorRate). */
  fault?: 'latency' | 'errors';
  /** Pod name suffix: each run gets new pod names. */
  podHash?: string;
  bundleId?: string;
  seed?: number;
  repeat?: number;
  /** Leave out truth/recipe.json and truth/scenario.yaml, as bundles written before they existed. */
  withoutRecipe?: boolean;
  /** The scenario text kept in truth/scenario.yaml. */
  scenarioText?: string;
  environment?: Record<string, unknown>;
  /** Time to manifest after the injection (default 90 s). */
  manifestAfterMs?: number;
  scenarioHash?: string;
  /** Fields of truth/recipe.json to replace (window offsets drawn by the current planner, say). */
  recipe?: Record<string, unknown>;
  /** `kind` of each truth/background.json action, in order. */
  backgroundKinds?: string[];
  /** Entries appended to snapshot/alerts.json's timeline. */
  extraTimeline?: AlertsFile['timeline'];
}

const SERVICES = ['frontend', 'checkout', 'payment', 'cart'] as const;
const BASE_RPS: Record<string, number> = { frontend: 20, checkout: 4, payment: 4, cart: 12 };
const LE = [0.05, 0.1, 0.25, 0.5, 1, 2.5, Infinity];

export const INCIDENT_SCENARIO_TEXT = `apiVersion: firedrill/v1
kind: Scenario
metadata:
  id: payment-latency
  title: Payment provider calls slow down
spec:
  app: shop
  substrates: [local]
  seed: 42
  load: {rps: 12, mix: {browse: 0.5, cart: 0.3, checkout: 0.2}}
  faults:
    - type: app-latency
      target: shop/Deployment/payment
      params: {delayMs: 1200}
      at: 0s
  observe:
    warmup: 30s
    window: {before: 30s, after: 10s}
    until: {alerts: [ShopHighLatencyP95], mode: any}
    timeout: 3m
  expect:
    alerts: [ShopHighLatencyP95]
`;

/** Latency of one request of `svc` at time t (seconds), from the fault. */
function latencyOf(svc: string, afterFault: boolean, fault: 'latency' | 'errors'): number {
  if (!afterFault || fault !== 'latency') return svc === 'frontend' ? 0.08 : 0.03;
  if (svc === 'payment') return 1.3;
  if (svc === 'checkout' || svc === 'frontend') return 1.4;
  return 0.03;
}

function metrics(o: Required<Pick<IncidentOptions, 'fault' | 'podHash'>>): MetricSeries[] {
  const out: MetricSeries[] = [];
  for (const svc of SERVICES) {
    const pod = `${svc}-${o.podHash}-abcde`;
    const labels = { namespace: 'shop', service: svc, pod, job: 'shop' };
    const ok: Array<[number, number]> = [];
    const bad: Array<[number, number]> = [];
    const buckets = LE.map(() => [] as Array<[number, number]>);
    let okTotal = 0;
    let badTotal = 0;
    const cum = LE.map(() => 0);
    for (let t = WINDOW_START; t <= WINDOW_END; t += STEP_MS) {
      const after = t > INJECTED_AT;
      const n = BASE_RPS[svc] * (STEP_MS / 1000);
      const errShare = after && o.fault === 'errors' && svc !== 'cart' ? (svc === 'payment' ? 0.4 : 0.2) : 0;
      badTotal += Math.round(n * errShare);
      okTotal += n - Math.round(n * errShare);
      const lat = latencyOf(svc, after, o.fault);
      LE.forEach((le, i) => {
        if (lat <= le) cum[i] += n;
      });
      ok.push([t / 1000, okTotal]);
      bad.push([t / 1000, badTotal]);
      LE.forEach((_, i) => buckets[i].push([t / 1000, cum[i]]));
    }
    out.push({ name: 'http_server_requests_total', labels: { ...labels, status: '200' }, points: ok });
    out.push({ name: 'http_server_requests_total', labels: { ...labels, status: '500' }, points: bad });
    LE.forEach((le, i) =>
      out.push({
        name: 'http_server_request_duration_seconds_bucket',
        labels: { ...labels, le: le === Infinity ? '+Inf' : String(le) },
        points: buckets[i],
      }),
    );
    out.push({
      name: 'process_resident_memory_bytes',
      labels: { ...labels },
      points: [
        [WINDOW_START / 1000, 52_000_000],
        [(WINDOW_START + STEP_MS) / 1000, 'NaN'],
        [(WINDOW_START + 2 * STEP_MS) / 1000, 53_500_000.5],
      ],
    });
  }
  return out;
}

function topology(podHash: string): Topology {
  const t: Topology = { entities: [], edges: [] };
  for (const svc of SERVICES) {
    const rs = `${svc}-${podHash}`;
    const pod = `${rs}-abcde`;
    t.entities.push(
      { id: `shop/Deployment/${svc}`, kind: 'Deployment', name: svc, namespace: 'shop' },
      { id: `shop/ReplicaSet/${rs}`, kind: 'ReplicaSet', name: rs, namespace: 'shop' },
      { id: `shop/Pod/${pod}`, kind: 'Pod', name: pod, namespace: 'shop' },
      { id: `shop/Service/${svc}`, kind: 'Service', name: svc, namespace: 'shop' },
    );
    t.edges.push(
      { from: `shop/Deployment/${svc}`, to: `shop/ReplicaSet/${rs}`, type: 'owns' },
      { from: `shop/ReplicaSet/${rs}`, to: `shop/Pod/${pod}`, type: 'owns' },
      { from: `shop/Service/${svc}`, to: `shop/Pod/${pod}`, type: 'selects' },
      { from: `shop/Pod/${pod}`, to: 'Node/worker-1', type: 'runs-on' },
    );
  }
  t.entities.push({ id: 'Node/worker-1', kind: 'Node', name: 'worker-1' });
  t.edges.push(
    { from: 'shop/Deployment/frontend', to: 'shop/Service/checkout', type: 'calls' },
    { from: 'shop/Deployment/frontend', to: 'shop/Service/cart', type: 'calls' },
    { from: 'shop/Deployment/checkout', to: 'shop/Service/payment', type: 'calls' },
  );
  t.entities.sort((a, b) => a.id.localeCompare(b.id));
  return t;
}

function span(
  traceId: string,
  spanId: string,
  parent: string | null,
  svc: string,
  name: string,
  startMs: number,
  durMs: number,
  podHash: string,
  extra: Partial<SpanRecord> = {},
): SpanRecord {
  const pod = `${svc}-${podHash}-abcde`;
  return {
    traceId,
    spanId,
    parentSpanId: parent,
    service: svc,
    name,
    start: iso(startMs),
    end: iso(startMs + durMs),
    durationMs: durMs,
    status: 'unset',
    attributes: { 'http.request.method': 'POST', 'http.response.status_code': 200 },
    entity: `shop/Pod/${pod}`,
    kind: 'server',
    resource: {
      'service.name': svc,
      'service.namespace': 'shop',
      'k8s.namespace.name': 'shop',
      'k8s.pod.name': pod,
      'telemetry.sdk.language': 'nodejs',
    },
    ...extra,
  };
}

function traces(o: Required<Pick<IncidentOptions, 'fault' | 'podHash'>>): SpanRecord[] {
  const out: SpanRecord[] = [];
  for (let i = 0; i < 8; i++) {
    const t = WINDOW_START + 30_000 + i * 70_000;
    const after = t > INJECTED_AT;
    const slow = after && o.fault === 'latency' ? 1300 : 20;
    // one request fails whatever the fault: every report has a failing trace to show
    const fail = (after && o.fault === 'errors') || i === 6;
    const tid = `${(i + 1).toString(16).padStart(2, '0')}${'4bf92f3577b34da6a3ce929d0e0e47'}`;
    const root = `a${i}00000000000001`;
    const call = `a${i}00000000000002`;
    const pay = `a${i}00000000000003`;
    const payDur = slow + (fail ? 5 : 0);
    out.push(
      span(tid, root, null, 'frontend', 'POST /checkout', t, payDur + 40, o.podHash, {
        status: fail ? 'error' : 'unset',
        attributes: { 'http.route': '/checkout', 'http.response.status_code': fail ? 500 : 200 },
      }),
      span(tid, call, root, 'frontend', 'POST /orders', t + 5, payDur + 30, o.podHash, {
        kind: 'client',
        attributes: { 'url.full': 'http://checkout:8080/orders', 'peer.service': 'checkout' },
      }),
      span(tid, pay, call, 'payment', 'POST /pay', t + 15, payDur, o.podHash, {
        status: fail ? 'error' : 'ok',
        attributes: {
          'http.route': '/pay',
          'http.response.status_code': fail ? 500 : 200,
          ...(fail ? { 'otel.status_description': 'card declined by provider' } : {}),
          attempt: 1,
          ratio: 0.5,
          retried: false,
        },
      }),
    );
  }
  return out.sort((a, b) => a.start.localeCompare(b.start) || a.spanId.localeCompare(b.spanId));
}

function events(podHash: string, fault: 'latency' | 'errors'): EventRecord[] {
  const pod = `payment-${podHash}-abcde`;
  const ev = (
    type: 'Normal' | 'Warning',
    reason: string,
    message: string,
    kind: string,
    name: string,
    at: number,
    count = 1,
  ): EventRecord => ({
    type,
    reason,
    message,
    involvedObject: { kind, namespace: 'shop', name },
    firstTimestamp: iso(at),
    lastTimestamp: iso(at + (count - 1) * 10_000),
    count,
    source: { component: kind === 'Pod' ? 'kubelet' : 'deployment-controller' },
    entity: `shop/${kind}/${name}`,
  });
  return [
    ev(
      'Normal',
      'ScalingReplicaSet',
      'Scaled up replica set cart to 2',
      'Deployment',
      'cart',
      WINDOW_START + 60_000,
    ),
    ev(
      'Normal',
      'Pulled',
      'Container image "acme/shop:0.1.0" already present',
      'Pod',
      pod,
      WINDOW_START + 62_000,
    ),
    fault === 'latency'
      ? ev(
          'Warning',
          'Unhealthy',
          'Readiness probe failed: context deadline exceeded',
          'Pod',
          pod,
          INJECTED_AT + 40_000,
          4,
        )
      : ev('Warning', 'BackOff', 'Back-off restarting failed container', 'Pod', pod, INJECTED_AT + 40_000, 3),
  ];
}

function logs(podHash: string, fault: 'latency' | 'errors'): LogRecord[] {
  const out: LogRecord[] = [];
  for (let i = 0; i < 120; i++) {
    const t = WINDOW_START + i * 5_000;
    const svc = SERVICES[i % SERVICES.length];
    const after = t > INJECTED_AT;
    const bad = after && svc === 'payment';
    out.push({
      ts: iso(t),
      entity: `shop/Pod/${svc}-${podHash}-abcde`,
      container: svc,
      stream: 'stdout',
      line: JSON.stringify({
        level: bad ? 50 : 30,
        time: iso(t),
        service: svc,
        msg: bad
          ? fault === 'latency'
            ? 'provider call slow'
            : 'provider refused: card declined'
          : 'request done',
        ms: bad && fault === 'latency' ? 1300 : 12,
      }),
    });
  }
  out.push({
    ts: iso(INJECTED_AT + 61_000),
    entity: `shop/Pod/payment-${podHash}-abcde`,
    container: 'payment',
    stream: 'stderr',
    line: 'Error: <script>alert("x")</script> & friends',
  });
  return out.sort((a, b) => a.ts.localeCompare(b.ts));
}

function alerts(fault: 'latency' | 'errors', manifestAfterMs: number): AlertsFile {
  const name = fault === 'latency' ? 'ShopHighLatencyP95' : 'ShopHighErrorRate';
  const lab = (svc: string): Record<string, string> => ({
    namespace: 'shop',
    service: svc,
    severity: 'warning',
  });
  const firingAt = INJECTED_AT + manifestAfterMs;
  return {
    active: [
      {
        alertname: name,
        state: 'firing',
        labels: { alertname: name, ...lab('payment') },
        annotations: { summary: `${name} on payment` },
        activeAt: iso(firingAt - 30_000),
        value: '1.3',
        entity: 'shop/Service/payment',
      },
    ],
    timeline: [
      {
        alertname: 'ShopCacheHitRatioLow',
        labels: lab('catalog'),
        state: 'firing',
        start: iso(WINDOW_START + 100_000),
        // a blip of routine activity, over before capture
        end: iso(WINDOW_START + 200_000),
      },
      {
        alertname: name,
        labels: lab('payment'),
        state: 'pending',
        start: iso(firingAt - 30_000),
        end: iso(firingAt),
      },
      {
        alertname: name,
        labels: lab('checkout'),
        state: 'pending',
        start: iso(firingAt - 25_000),
        end: iso(firingAt + 5_000),
      },
      { alertname: name, labels: lab('payment'), state: 'firing', start: iso(firingAt), end: null },
      { alertname: name, labels: lab('checkout'), state: 'firing', start: iso(firingAt + 5_000), end: null },
    ],
  };
}

/** Writes the incident to `<outDir>/<bundleId>` and returns that directory. */
export async function writeIncidentBundle(outDir: string, opts: IncidentOptions = {}): Promise<string> {
  const o = { fault: opts.fault ?? 'latency', podHash: opts.podHash ?? '7d4b9c6f5d' } as const;
  const bundleId = opts.bundleId ?? 'incident-0a1b2c3d4e5f';
  const manifestedAt = iso(INJECTED_AT + (opts.manifestAfterMs ?? 90_000));
  const faultType = o.fault === 'latency' ? 'app-latency' : 'app-error-rate';
  const truth: GroundTruth = {
    format: 1,
    scenarioId: 'payment-latency',
    rootCauses: [{ id: 'shop/Deployment/payment', aliases: [`shop/Pod/payment-${o.podHash}-abcde`] }],
    faults: [
      {
        type: faultType,
        target: 'shop/Deployment/payment',
        params: o.fault === 'latency' ? { delayMs: 1200 } : { rate: 0.4 },
        injectedAt: iso(INJECTED_AT),
        recoveredAt: iso(WINDOW_END + 5_000),
      },
    ],
    injectedAt: iso(INJECTED_AT),
    manifestedAt,
    expectedAlerts: [o.fault === 'latency' ? 'ShopHighLatencyP95' : 'ShopHighErrorRate'],
    firedAlerts: [o.fault === 'latency' ? 'ShopHighLatencyP95' : 'ShopHighErrorRate', 'ShopCacheHitRatioLow'],
  };
  const fields: ManifestFields = {
    scenarioId: 'payment-latency',
    scenarioHash: opts.scenarioHash ?? 'c0ffee',
    seed: opts.seed ?? 42,
    repeat: opts.repeat ?? 0,
    substrate: 'local',
    toolVersion: '0.1.0',
    times: {
      windowStart: iso(WINDOW_START),
      windowEnd: iso(WINDOW_END),
      injectedAt: iso(INJECTED_AT),
      manifestedAt,
      capturedAt: iso(WINDOW_END + 2_000),
    },
    manifested: true,
    environment: opts.environment ?? {
      substrate: 'local',
      firedrill: '0.1.0',
      node: 'v20.20.2',
      tools: { prometheus: { name: 'prometheus', path: '/usr/bin/prometheus', version: '2.42.0+ds' } },
      images: { 'shop/payment/payment': 'acme/shop:0.1.0' },
    },
    checks: { manifested: { ok: true, detail: '' } },
  };
  const w = await BundleWriter.create(outDir, bundleId);
  try {
    await w.writeText(SnapshotFile.task, '# Incident\n\nName the root-cause entities, ranked.\n');
    const a = alerts(o.fault, opts.manifestAfterMs ?? 90_000);
    await w.writeJson(SnapshotFile.alerts, {
      ...a,
      timeline: [...a.timeline, ...(opts.extraTimeline ?? [])],
    });
    await w.writeNdjson(SnapshotFile.events, events(o.podHash, o.fault));
    await w.writeNdjson(SnapshotFile.logs, logs(o.podHash, o.fault));
    await w.writeNdjson(SnapshotFile.metrics, metrics(o));
    await w.writeNdjson(SnapshotFile.traces, traces(o));
    await w.writeJson(SnapshotFile.topology, topology(o.podHash));
    await w.writeNdjson(SnapshotFile.objects, []);
    await w.writeJson(TruthFile.groundTruth, truth);
    await w.writeJson(TruthFile.background, {
      profile: 'typical',
      alerts: ['ShopCacheHitRatioLow'],
      actions: (opts.backgroundKinds ?? []).map((kind, k) => ({
        kind,
        target: null,
        at: iso(WINDOW_START + k * 10_000),
        undoneAt: null,
        detail: '',
        params: {},
      })),
    });
    if (!opts.withoutRecipe) {
      await w.writeJson(TruthFile.recipe, {
        scenarioId: 'payment-latency',
        seed: opts.seed ?? 42,
        repeat: opts.repeat ?? 0,
        substrate: 'local',
        secret: 'ab'.repeat(32),
        warmupMs: 45_000,
        leadMs: 30_000,
        tailMs: 12_000,
        ...opts.recipe,
      });
      await w.writeText(TruthFile.scenario, opts.scenarioText ?? INCIDENT_SCENARIO_TEXT);
    }
    return await w.commit(fields);
  } finally {
    await w.abort();
  }
}
