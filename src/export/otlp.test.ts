import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openBundle } from '../bundle/bundle-reader.js';
import { writeIncidentBundle } from '../bundle/testing/incident-bundle.js';
import type { SpanRecord } from '../bundle/records.js';
import { normalizeOtlpJson } from '../telemetry/otlp-normalize.js';
import { exportBundle } from './export-bundle.js';
import { metricFamilies } from './openmetrics.js';
import { keyValue, otlpSpan, resourceOf, TRACES_FILE } from './otlp.js';

let dir: string;
let bundle: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fd-otlp-'));
  bundle = await writeIncidentBundle(join(dir, 'b'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

interface Line {
  resourceSpans: Array<{
    resource: { attributes: Array<{ key: string; value: Record<string, unknown> }> };
    scopeSpans: Array<{ spans: Array<Record<string, unknown>> }>;
  }>;
}

describe('otlp export', () => {
  it('writes ExportTraceServiceRequest lines that read back as the same spans', async () => {
    const r = await exportBundle('otlp', bundle, join(dir, 'otlp'));
    expect(r.files).toEqual([{ path: TRACES_FILE, rows: 1 }]);
    expect(r.truth).toEqual([{ path: 'ground_truth.json', rows: 1 }]);
    const lines = (await readFile(join(r.dir, TRACES_FILE), 'utf8')).trimEnd().split('\n');
    const doc = JSON.parse(lines[0]) as Line;
    // one resource per pod, its attributes as captured
    const payment = doc.resourceSpans.find((rs) =>
      rs.resource.attributes.some((a) => a.key === 'service.name' && a.value.stringValue === 'payment'),
    );
    expect(payment?.resource.attributes).toContainEqual({
      key: 'k8s.pod.name',
      value: { stringValue: 'payment-7d4b9c6f5d-abcde' },
    });
    const span = payment?.scopeSpans[0].spans[0];
    expect(span).toMatchObject({
      traceId: expect.stringMatching(/^[0-9a-f]{32}$/) as string,
      kind: 2,
      startTimeUnixNano: String(Date.UTC(2025, 0, 1, 10, 0, 30, 15) * 1_000_000),
      status: { code: 1 },
    });
    expect(span?.attributes).toContainEqual({ key: 'attempt', value: { intValue: '1' } });
    expect(span?.attributes).toContainEqual({ key: 'ratio', value: { doubleValue: 0.5 } });
    expect(span?.attributes).toContainEqual({ key: 'retried', value: { boolValue: false } });

    // The reader firedrill uses for Jaeger's api/v3 output (OTLP JSON too) gets the spans back.
    const back = lines.flatMap((l) => normalizeOtlpJson(JSON.parse(l)));
    const h = await openBundle(bundle);
    const original: SpanRecord[] = [];
    for await (const x of h.readNdjson<SpanRecord>('snapshot/traces.ndjson')) original.push(x);
    await h.close();
    const brief = (x: SpanRecord) => [
      x.spanId,
      x.service,
      x.kind,
      x.start,
      x.durationMs,
      x.status,
      x.resource,
    ];
    expect(back.map(brief).sort()).toEqual(original.map(brief).sort());
  });

  it('puts a status description back into the status and keeps microseconds', () => {
    const s: SpanRecord = {
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      parentSpanId: '53995c3f42cd8ad8',
      service: 'cart',
      name: 'GET /cart',
      start: '2025-01-01T00:00:00.001Z',
      end: '2025-01-01T00:00:00.013Z',
      durationMs: 12.346,
      status: 'error',
      attributes: { 'otel.status_description': 'redis: OOM', 'span.kind': 'server', big: 2 ** 60 },
      entity: 'shop/Pod/cart-0',
    };
    expect(otlpSpan(s)).toEqual({
      traceId: s.traceId,
      spanId: s.spanId,
      parentSpanId: s.parentSpanId,
      name: 'GET /cart',
      kind: 2,
      startTimeUnixNano: '1735689600001000000',
      endTimeUnixNano: '1735689600013346000',
      attributes: [keyValue('big', 2 ** 60), keyValue('span.kind', 'server')],
      status: { code: 2, message: 'redis: OOM' },
    });
    expect(keyValue('big', 2 ** 60)).toEqual({ key: 'big', value: { doubleValue: 2 ** 60 } });
    // bundles from before resources were kept: rebuilt from the pod and its Deployment
    expect(resourceOf(s, new Map([['shop/Pod/cart-0', 'cart']]))).toEqual({
      'service.name': 'cart',
      'k8s.namespace.name': 'shop',
      'k8s.pod.name': 'cart-0',
      'k8s.deployment.name': 'cart',
    });
  });
});

describe('metricFamilies', () => {
  it('types families by naming convention and keeps each family together', () => {
    const s = (name: string, labels: Record<string, string> = {}) => ({ name, labels, points: [] });
    const fams = metricFamilies([
      s('http_server_requests_total', { status: '200' }),
      s('rpc_seconds_bucket', { le: '0.1' }),
      s('up'),
      s('rpc_seconds_count'),
      s('rpc_seconds_sum'),
      s('gc_seconds', { quantile: '0.5' }),
      s('gc_seconds_count'),
      s('odd_total'),
      s('odd'),
    ]);
    expect(fams.map((f) => [f.name, f.type, f.series.map((x) => x.name)])).toEqual([
      ['gc_seconds', 'summary', ['gc_seconds_count', 'gc_seconds']],
      ['http_server_requests', 'counter', ['http_server_requests_total']],
      ['odd', 'unknown', ['odd']],
      ['odd_total', 'unknown', ['odd_total']],
      ['rpc_seconds', 'histogram', ['rpc_seconds_bucket', 'rpc_seconds_count', 'rpc_seconds_sum']],
      ['up', 'unknown', ['up']],
    ]);
  });
});
