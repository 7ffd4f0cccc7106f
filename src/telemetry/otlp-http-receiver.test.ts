import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { gzipSync } from 'node:zlib';
import { OtlpHttpReceiver, PROTOBUF_REFUSAL } from './otlp-http-receiver.js';
import { SpanStore } from './span-store.js';

type ExporterConfig = NonNullable<ConstructorParameters<typeof OTLPTraceExporter>[0]>;

let receiver: OtlpHttpReceiver;

beforeAll(async () => {
  receiver = await OtlpHttpReceiver.start({ store: new SpanStore(1000) });
});
afterAll(async () => {
  await receiver.close();
});

function providerFor(
  service: string,
  pod: string,
  compression?: ExporterConfig['compression'],
): BasicTracerProvider {
  const exporter = new OTLPTraceExporter({ url: receiver.tracesUrl, compression });
  return new BasicTracerProvider({
    resource: resourceFromAttributes({
      'service.name': service,
      'k8s.namespace.name': 'shop',
      'k8s.pod.name': pod,
    }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
}

describe('OtlpHttpReceiver', () => {
  it('listens on loopback and takes spans from the real OTLP/HTTP exporter', async () => {
    expect(receiver.host).toBe('127.0.0.1');
    expect(receiver.tracesUrl).toBe(`http://127.0.0.1:${receiver.port}/v1/traces`);
    const provider = providerFor('checkout', 'checkout-0');
    const tracer = provider.getTracer('test');
    const t0 = Date.parse('2025-03-01T10:00:00.000Z');
    const parent = tracer.startSpan('POST /checkout', {
      kind: SpanKind.SERVER,
      startTime: t0,
      attributes: { 'http.request.method': 'POST' },
    });
    const child = tracer.startSpan(
      'charge card',
      {
        kind: SpanKind.CLIENT,
        startTime: t0 + 2,
        attributes: { 'peer.service': 'payment', attempt: 2, amount: 12.5, retried: true },
      },
      trace.setSpan(context.active(), parent),
    );
    child.setStatus({ code: SpanStatusCode.ERROR, message: 'payment timed out' });
    child.end(t0 + 27.5);
    parent.setStatus({ code: SpanStatusCode.OK });
    parent.end(t0 + 30);
    await provider.forceFlush();
    await provider.shutdown();

    const spans = receiver.store.query({ service: 'checkout' });
    expect(spans).toHaveLength(2);
    const p = spans.find((s) => s.name === 'POST /checkout')!;
    const c = spans.find((s) => s.name === 'charge card')!;
    const ctx = parent.spanContext();
    expect(p).toMatchObject({
      traceId: ctx.traceId,
      spanId: ctx.spanId,
      parentSpanId: null,
      service: 'checkout',
      start: '2025-03-01T10:00:00.000Z',
      end: '2025-03-01T10:00:00.030Z',
      durationMs: 30,
      status: 'ok',
      entity: 'shop/Pod/checkout-0',
      attributes: { 'http.request.method': 'POST', 'span.kind': 'server' },
    });
    expect(c).toMatchObject({
      traceId: ctx.traceId,
      spanId: child.spanContext().spanId,
      parentSpanId: ctx.spanId,
      durationMs: 25.5,
      status: 'error',
      attributes: {
        'peer.service': 'payment',
        attempt: 2,
        amount: 12.5,
        retried: true,
        'span.kind': 'client',
        'otel.status_description': 'payment timed out',
      },
    });
    expect(receiver.store.query({ from: t0 + 28, to: t0 + 29 }).map((s) => s.name)).toEqual([
      'POST /checkout',
    ]);
  });

  it('accepts gzip from the exporter', async () => {
    const provider = providerFor('cart', 'cart-1', 'gzip' as ExporterConfig['compression']);
    provider.getTracer('test').startSpan('zipped').end();
    await provider.forceFlush();
    await provider.shutdown();
    expect(receiver.store.query({ service: 'cart' }).map((s) => s.name)).toEqual(['zipped']);
  });

  it('refuses protobuf with 415 and a body saying what to do', async () => {
    const res = await fetch(receiver.tracesUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-protobuf' },
      body: new Uint8Array([0x0a, 0x00]),
    });
    expect(res.status).toBe(415);
    expect(await res.text()).toBe(`${PROTOBUF_REFUSAL}\n`);
  });

  it('answers ExportTraceServiceResponse JSON, with partialSuccess for unusable spans', async () => {
    const good = {
      traceId: 'aa'.repeat(16),
      spanId: 'bb'.repeat(8),
      name: 'ok',
      startTimeUnixNano: '1735689600000000000',
      endTimeUnixNano: '1735689600000000000',
    };
    const payload = {
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'raw' } }] },
          scopeSpans: [{ spans: [good, { ...good, spanId: 'x' }] }],
        },
      ],
    };
    const res = await fetch(receiver.tracesUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json; charset=utf-8', 'Content-Encoding': 'gzip' },
      body: gzipSync(JSON.stringify(payload)),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toEqual({
      partialSuccess: { rejectedSpans: '1', errorMessage: 'invalid spanId "x"' },
    });
    expect(receiver.store.query({ service: 'raw' })).toHaveLength(1);

    const clean = await fetch(receiver.tracesUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"resourceSpans":[]}',
    });
    expect(await clean.text()).toBe('{}');
  });

  it('rejects bad requests with a reason', async () => {
    const post = (
      path: string,
      body: string | Uint8Array,
      headers: Record<string, string>,
    ): Promise<Response> => fetch(`${receiver.url}${path}`, { method: 'POST', headers, body });
    const json = { 'Content-Type': 'application/json' };
    expect((await post('/v1/traces', '{oops', json)).status).toBe(400);
    expect((await post('/v1/traces', 'not gzip', { ...json, 'Content-Encoding': 'gzip' })).status).toBe(400);
    expect((await post('/v1/traces', '{}', { ...json, 'Content-Encoding': 'br' })).status).toBe(415);
    expect((await post('/v1/metrics', '{}', json)).status).toBe(404);
    expect((await fetch(receiver.tracesUrl)).status).toBe(405);
    const before = receiver.stats;
    expect(before.refusedRequests).toBeGreaterThanOrEqual(5);
  });

  it('refuses bodies over the limit', async () => {
    const small = await OtlpHttpReceiver.start({ maxBodyBytes: 100 });
    try {
      const res = await fetch(small.tracesUrl, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: 'x'.repeat(1000),
      });
      expect(res.status).toBe(413);
      const bomb = gzipSync(Buffer.alloc(10_000, 0x20));
      const res2 = await fetch(small.tracesUrl, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' },
        body: bomb,
      });
      expect(res2.status).toBe(413);
    } finally {
      await small.close();
    }
  });
});
