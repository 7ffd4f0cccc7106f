import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { pino } from 'pino';
import { freePorts } from '../dev/free-port.js';
import { parsePrometheusText, sumSamples } from '../dev/prom-text.js';
import { startRedisServer, type RedisServer } from '../dev/redis-server.js';
import { ShopMetrics } from './metrics.js';
import { InstrumentedRedis } from './redis-client.js';
import { StreamProducer } from './stream-producer.js';

const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
// As startTracing() does: the global propagator is W3C trace context.
provider.register({ propagator: new W3CTraceContextPropagator() });
const tracer = trace.getTracer('shop');
let server: RedisServer;
const closers: Array<() => Promise<void>> = [];

beforeAll(async () => {
  server = await startRedisServer();
});
beforeEach(() => exporter.reset());
afterAll(async () => {
  await Promise.all(closers.map((c) => c()));
  await server.stop();
  await provider.shutdown();
});

function producer(stream: string, opts: { port?: number; maxLen?: number } = {}) {
  const metrics = new ShopMetrics();
  const redis = new InstrumentedRedis({
    service: 'checkout',
    endpoint: { host: '127.0.0.1', port: opts.port ?? server.port, password: server.password, db: 0 },
    commandTimeoutMs: 500,
    retries: 0,
    tracer,
    metrics,
    logger: pino({ level: 'silent' }),
  });
  closers.push(() => redis.close());
  const p = new StreamProducer({
    redis,
    stream,
    service: 'checkout',
    tracer,
    metrics,
    maxLen: opts.maxLen,
    now: () => 1_700_000_000_000,
  });
  const published = async (outcome: string) =>
    sumSamples(parsePrometheusText(await metrics.registry.metrics()), 'queue_messages_published_total', {
      service: 'checkout',
      queue: stream,
      outcome,
    });
  return { p, redis, published };
}

describe('StreamProducer', () => {
  test('XADDs type, JSON payload, traceparent and published_at under a PRODUCER span', async () => {
    const { p, redis, published } = producer('orders-p1');
    const request = tracer.startSpan('POST /orders', { kind: SpanKind.SERVER });
    const id = await context.with(trace.setSpan(context.active(), request), () =>
      p.publish('order placed', { orderId: 'o-1', total: 42.5 }),
    );
    request.end();

    const send = exporter.getFinishedSpans().find((s) => s.name === 'send orders-p1')!;
    expect(send.kind).toBe(SpanKind.PRODUCER);
    expect(send.parentSpanContext?.spanId).toBe(request.spanContext().spanId);
    expect(send.attributes).toEqual({
      'messaging.system': 'redis',
      'messaging.system.name': 'redis',
      'peer.service': 'redis',
      'messaging.destination.name': 'orders-p1',
      'messaging.operation.type': 'send',
      'messaging.operation.name': 'send',
      'messaging.message.body.size': 30,
      'messaging.message.id': id,
    });
    const xadd = exporter.getFinishedSpans().find((s) => s.name === 'XADD')!;
    expect(xadd.parentSpanContext?.spanId).toBe(send.spanContext().spanId);

    const [[entryId, fields]] = await redis.command('XRANGE', (r) => r.xrange('orders-p1', '-', '+'));
    expect(entryId).toBe(id);
    const sc = send.spanContext();
    expect(fields).toEqual([
      'type',
      'order placed',
      'payload',
      '{"orderId":"o-1","total":42.5}',
      'traceparent',
      `00-${sc.traceId}-${sc.spanId}-01`,
      'published_at',
      '1700000000000',
    ]);
    expect(await published('ok')).toBe(1);
  });

  test('trims the stream to about maxLen entries', async () => {
    const { p, redis } = producer('orders-p2', { maxLen: 10 });
    for (let i = 0; i < 300; i++) await p.publish('order placed', { orderId: `o-${i}` });
    // MAXLEN ~ trims whole radix-tree nodes (100 entries each by default): well under 300, at least 10.
    const len = await redis.command('XLEN', (r) => r.xlen('orders-p2'));
    expect(len).toBeGreaterThanOrEqual(10);
    expect(len).toBeLessThanOrEqual(110);
  });

  test('a Redis failure rejects with the dependency error, counts outcome=error and marks the span', async () => {
    const [closed] = await freePorts(1);
    const { p, published } = producer('orders-p3', { port: closed });
    await expect(p.publish('order placed', { orderId: 'o-1' })).rejects.toMatchObject({
      dependency: 'redis',
      code: 'ECONNREFUSED',
    });
    const send = exporter.getFinishedSpans().find((s) => s.name === 'send orders-p3')!;
    expect(send.status.code).toBe(SpanStatusCode.ERROR);
    expect(send.attributes['error.type']).toBe('ECONNREFUSED');
    expect(send.attributes['messaging.message.id']).toBeUndefined();
    expect(await published('error')).toBe(1);
  });
});
