import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../version.js';
import { entityFor, normalizeId, normalizeOtlpJson, normalizeOtlpJsonDetailed } from './otlp-normalize.js';

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(join(REPO_ROOT, 'tests/fixtures/telemetry', name), 'utf8'));

describe('normalizeOtlpJson', () => {
  it('normalises what the JS OTLP/HTTP exporter sends', () => {
    const result = normalizeOtlpJsonDetailed(fixture('otlp-js-exporter.json'));
    expect(result.rejected).toBe(1);
    expect(result.problems).toEqual(['invalid traceId "not-an-id"']);
    const [server, client, root] = result.spans;
    expect(server).toEqual({
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      parentSpanId: null,
      service: 'cart',
      name: 'GET /cart',
      start: '2025-01-01T00:00:00.000Z',
      end: '2025-01-01T00:00:00.012Z',
      durationMs: 12.346,
      status: 'error',
      attributes: {
        'http.route': '/cart',
        'http.response.status_code': 500,
        retry: false,
        ratio: 0.25,
        big: '9007199254740993',
        tags: '["a",2]',
        'span.kind': 'server',
        'otel.status_description': 'redis: OOM command not allowed',
      },
      entity: 'shop/Pod/cart-0',
      kind: 'server',
      resource: { 'service.name': 'cart', 'k8s.namespace.name': 'shop', 'k8s.pod.name': 'cart-0' },
    });
    // {low, high} longs from old exporters, numbers from hand-written JSON.
    expect(client).toMatchObject({
      parentSpanId: '00f067aa0ba902b7',
      status: 'unset',
      start: '2025-01-01T00:00:00.001Z',
      durationMs: 3.765,
      attributes: { 'span.kind': 'client' },
      kind: 'client',
    });
    expect(root).toMatchObject({
      service: 'frontend',
      parentSpanId: null,
      status: 'ok',
      entity: 'shop/Deployment/frontend',
      durationMs: 30,
    });
  });

  it("reads Jaeger api/v3's protojson: base64 ids, enum names, result wrapper", () => {
    const [span] = normalizeOtlpJson(fixture('jaeger-api-v3.json'));
    expect(span).toMatchObject({
      traceId: '1e1d76538cbdfed9664587e9b09408b4',
      spanId: '8b45d1a15740ad2d',
      parentSpanId: 'c9b852a9fe2b9fc8',
      service: 'payment',
      status: 'error',
      durationMs: 5.145,
      entity: 'shop/Deployment/payment',
      attributes: { 'span.kind': 'internal', 'otel.status_description': 'card declined' },
    });
  });

  it('accepts a list of payloads and ignores what is not OTLP', () => {
    const p = fixture('jaeger-api-v3.json');
    expect(normalizeOtlpJson([p, p])).toHaveLength(2);
    expect(normalizeOtlpJson({ data: [] })).toEqual([]);
    expect(normalizeOtlpJson(null)).toEqual([]);
  });
});

describe('normalizeId', () => {
  it('accepts hex and base64 of the right length only', () => {
    expect(normalizeId('00F067AA0BA902B7', 8)).toBe('00f067aa0ba902b7');
    expect(normalizeId('APBnqgupArc=', 8)).toBe('00f067aa0ba902b7');
    expect(normalizeId('00f067aa0ba902', 8)).toBeUndefined();
    expect(normalizeId('APBnqgupArc=', 16)).toBeUndefined();
    expect(normalizeId(42, 8)).toBeUndefined();
  });
});

describe('entityFor', () => {
  it('prefers the pod, then the deployment, then the service in the default namespace', () => {
    expect(entityFor({ 'k8s.namespace.name': 'shop', 'k8s.pod.name': 'cart-7d9f-x2' }, 'cart', 'shop')).toBe(
      'shop/Pod/cart-7d9f-x2',
    );
    expect(entityFor({ 'k8s.pod.name': 'cart-0' }, 'cart', 'default')).toBe('default/Deployment/cart');
    expect(entityFor({}, 'Not A Name', 'shop')).toBeNull();
  });
});
