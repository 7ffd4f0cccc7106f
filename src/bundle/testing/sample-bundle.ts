import { BundleWriter } from '../bundle-writer.js';
import type { GroundTruth } from '../ground-truth.js';
import { SnapshotFile, TRUTH_FILE } from '../layout.js';
import type { ManifestFields } from '../manifest.js';
import type {
  AlertsFile,
  EventRecord,
  LogRecord,
  MetricSeries,
  ObjectRecord,
  SpanRecord,
  Topology,
} from '../records.js';

/**
 * A small but complete bundle (every standard file, realistic records) for tests of any module that
 * reads bundles. Deterministic: the same arguments write the same bytes.
 */

export const SAMPLE_SCENARIO_ID = 'payment-latency';

export function sampleManifestFields(): ManifestFields {
  return {
    scenarioId: SAMPLE_SCENARIO_ID,
    scenarioHash: 'sha256:3f1d0c4e',
    seed: 42,
    repeat: 0,
    substrate: 'local',
    toolVersion: '0.1.0',
    times: {
      windowStart: '2025-01-01T10:00:00.000Z',
      windowEnd: '2025-01-01T10:10:00.000Z',
      injectedAt: '2025-01-01T10:05:00.000Z',
      manifestedAt: '2025-01-01T10:07:30.000Z',
      capturedAt: '2025-01-01T10:10:02.000Z',
    },
    manifested: true,
    environment: { node: 'v20', prometheus: '2.42.0', images: { shop: 'shop@sha256:00ff' } },
    checks: { alertsFired: { ok: true, detail: 'PaymentLatencyHigh firing' } },
  };
}

export function sampleGroundTruth(): GroundTruth {
  return {
    format: 1,
    scenarioId: SAMPLE_SCENARIO_ID,
    rootCauses: [{ id: 'shop/Deployment/payment', aliases: ['shop/Pod/payment-0', 'shop/Service/payment'] }],
    faults: [
      {
        type: 'http-delay',
        target: 'shop/Deployment/payment',
        params: { delayMs: 800 },
        injectedAt: '2025-01-01T10:05:00.000Z',
        recoveredAt: '2025-01-01T10:10:05.000Z',
      },
    ],
    injectedAt: '2025-01-01T10:05:00.000Z',
    manifestedAt: '2025-01-01T10:07:30.000Z',
    expectedAlerts: ['PaymentLatencyHigh'],
    firedAlerts: ['PaymentLatencyHigh'],
  };
}

export const SAMPLE_ALERTS: AlertsFile = {
  active: [
    {
      alertname: 'PaymentLatencyHigh',
      state: 'firing',
      labels: { alertname: 'PaymentLatencyHigh', namespace: 'shop', service: 'payment', severity: 'warning' },
      annotations: { summary: 'p95 latency of payment above 500ms' },
      activeAt: '2025-01-01T10:06:30.000Z',
      value: '0.84',
      entity: 'shop/Service/payment',
    },
  ],
  timeline: [
    {
      alertname: 'PaymentLatencyHigh',
      labels: { namespace: 'shop', service: 'payment', severity: 'warning' },
      state: 'pending',
      start: '2025-01-01T10:06:30.000Z',
      end: '2025-01-01T10:07:30.000Z',
    },
    {
      alertname: 'PaymentLatencyHigh',
      labels: { namespace: 'shop', service: 'payment', severity: 'warning' },
      state: 'firing',
      start: '2025-01-01T10:07:30.000Z',
      end: null,
    },
  ],
};

export const SAMPLE_TOPOLOGY: Topology = {
  entities: [
    { id: 'shop/Deployment/checkout', kind: 'Deployment', name: 'checkout', namespace: 'shop' },
    { id: 'shop/Deployment/payment', kind: 'Deployment', name: 'payment', namespace: 'shop' },
    { id: 'shop/Pod/payment-0', kind: 'Pod', name: 'payment-0', namespace: 'shop' },
    { id: 'shop/Service/payment', kind: 'Service', name: 'payment', namespace: 'shop' },
  ],
  edges: [
    { from: 'shop/Deployment/payment', to: 'shop/Pod/payment-0', type: 'owns' },
    { from: 'shop/Service/payment', to: 'shop/Pod/payment-0', type: 'selects' },
    { from: 'shop/Deployment/checkout', to: 'shop/Deployment/payment', type: 'calls' },
  ],
};

export function sampleEvents(): EventRecord[] {
  return [
    {
      type: 'Warning',
      reason: 'Unhealthy',
      message: 'Readiness probe failed: context deadline exceeded',
      involvedObject: { kind: 'Pod', namespace: 'shop', name: 'payment-0' },
      firstTimestamp: '2025-01-01T10:06:00.000Z',
      lastTimestamp: '2025-01-01T10:09:00.000Z',
      count: 4,
      source: { component: 'kubelet' },
      entity: 'shop/Pod/payment-0',
    },
  ];
}

export function sampleLogs(n = 20): LogRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    ts: new Date(Date.UTC(2025, 0, 1, 10, 5, i)).toISOString(),
    entity: i % 2 === 0 ? 'shop/Pod/payment-0' : 'shop/Pod/checkout-0',
    container: i % 2 === 0 ? 'payment' : 'checkout',
    stream: 'stdout' as const,
    line: JSON.stringify({ level: 30, msg: 'request done', route: '/pay', ms: 120 + i * 40 }),
  }));
}

export function sampleMetrics(): MetricSeries[] {
  const t0 = Date.UTC(2025, 0, 1, 10, 0, 0) / 1000;
  return [
    {
      name: 'http_request_duration_seconds_bucket',
      labels: { service: 'payment', le: '0.5' },
      points: Array.from(
        { length: 10 },
        (_, i) => [t0 + i * 60, i < 5 ? 100 + i : 100 + 5 * i] as [number, number],
      ),
    },
    {
      name: 'up',
      labels: { job: 'payment' },
      points: [
        [t0, 1],
        [t0 + 60, 1],
      ],
    },
  ];
}

export function sampleSpans(): SpanRecord[] {
  return [
    {
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      parentSpanId: null,
      service: 'checkout',
      name: 'POST /checkout',
      start: '2025-01-01T10:06:00.000Z',
      end: '2025-01-01T10:06:00.950Z',
      durationMs: 950,
      status: 'ok',
      attributes: { 'http.response.status_code': 200 },
      entity: 'shop/Pod/checkout-0',
    },
    {
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '53995c3f42cd8ad8',
      parentSpanId: '00f067aa0ba902b7',
      service: 'payment',
      name: 'POST /pay',
      start: '2025-01-01T10:06:00.050Z',
      end: '2025-01-01T10:06:00.900Z',
      durationMs: 850,
      status: 'ok',
      attributes: { 'http.response.status_code': 200 },
      entity: 'shop/Pod/payment-0',
    },
  ];
}

export function sampleObjects(): ObjectRecord[] {
  return [
    {
      entity: 'shop/Deployment/payment',
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'payment', namespace: 'shop', labels: { app: 'payment' } },
      spec: { replicas: 1 },
      status: { readyReplicas: 1 },
    },
  ];
}

export const SAMPLE_TASK = `# Incident

Alerts are firing in the \`shop\` namespace between 2025-01-01T10:00:00Z and 2025-01-01T10:10:00Z.
Find the entities whose change or failure caused them. Answer with a ranked list of entity ids.
`;

/** Writes the sample bundle to `<outDir>/<bundleId>` and returns that directory. */
export async function writeSampleBundle(
  outDir: string,
  bundleId = 'sample-r0',
  opts: { logs?: number; replace?: boolean; truth?: GroundTruth } = {},
): Promise<string> {
  const w = await BundleWriter.create(outDir, bundleId);
  try {
    await w.writeText(SnapshotFile.task, SAMPLE_TASK);
    await w.writeJson(SnapshotFile.alerts, SAMPLE_ALERTS);
    await w.writeNdjson(SnapshotFile.events, sampleEvents());
    await w.writeNdjson(SnapshotFile.logs, sampleLogs(opts.logs));
    await w.writeNdjson(SnapshotFile.metrics, sampleMetrics());
    await w.writeNdjson(SnapshotFile.traces, sampleSpans());
    await w.writeJson(SnapshotFile.topology, SAMPLE_TOPOLOGY);
    await w.writeNdjson(SnapshotFile.objects, sampleObjects());
    await w.writeJson(TRUTH_FILE, opts.truth ?? sampleGroundTruth());
    return await w.commit(sampleManifestFields(), { replace: opts.replace });
  } finally {
    await w.abort();
  }
}
