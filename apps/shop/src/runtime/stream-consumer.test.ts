import { afterAll, afterEach, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { Redis } from 'ioredis';
import { pino } from 'pino';
import { parsePrometheusText, sumSamples } from '../dev/prom-text.js';
import { startRedisServer, type RedisServer } from '../dev/redis-server.js';
import { createShopLogger } from './logger.js';
import { ShopMetrics } from './metrics.js';
import { InstrumentedRedis } from './redis-client.js';
import { StreamConsumer, type StreamConsumerOptions } from './stream-consumer.js';
import { PoisonMessageError, type StreamMessage } from './stream-message.js';
import { StreamProducer } from './stream-producer.js';

const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
// As startTracing() does: W3C trace context is the global propagator.
provider.register({ propagator: new W3CTraceContextPropagator() });
const tracer = trace.getTracer('shop');

let server: RedisServer;
let admin: InstrumentedRedis;
const cleanup: Array<() => Promise<void>> = [];
let streams = 0;

beforeAll(async () => {
  server = await startRedisServer();
  admin = connect('test', new ShopMetrics());
});
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});
afterAll(async () => {
  await admin.close();
  await server.stop();
  await provider.shutdown();
});

function connect(service: string, metrics: ShopMetrics): InstrumentedRedis {
  return new InstrumentedRedis({
    service,
    endpoint: { host: '127.0.0.1', port: server.port, password: server.password, db: 0 },
    commandTimeoutMs: 500,
    retries: 0,
    tracer,
    metrics,
    logger: pino({ level: 'silent' }),
  });
}

const run = <T>(f: (r: Redis) => Promise<T>) => admin.command('TEST', f);

async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

type Line = Record<string, unknown> & { level: string; msg: string };

/** A producer and a consumer on a fresh stream, with captured logs and metrics. */
async function setup(
  over: Partial<StreamConsumerOptions> = {},
  start = true,
  stream = `orders-${++streams}`,
) {
  const metrics = new ShopMetrics();
  const redis = connect('accounting', metrics);
  const lines: Line[] = [];
  const logger = createShopLogger({
    service: 'accounting',
    level: 'debug',
    destination: { write: (l: string) => lines.push(JSON.parse(l) as Line) },
  });
  const received: StreamMessage[] = [];
  const exit = jest.fn<(code: number) => void>();
  const consumer = new StreamConsumer({
    redis,
    stream,
    group: 'accounting',
    consumer: 'accounting-0',
    service: 'accounting',
    tracer,
    metrics,
    logger,
    handler: async (m) => {
      received.push(m);
    },
    exit,
    blockMs: 200,
    claimIdleMs: 300,
    gaugeIntervalMs: 50,
    ...over,
  });
  const producer = new StreamProducer({ redis, stream, service: 'checkout', tracer, metrics });
  cleanup.push(async () => {
    await consumer.stop();
    await redis.close();
  });
  if (start) await consumer.start();
  const sample = async (name: string, labels: Record<string, string> = {}) =>
    sumSamples(parsePrometheusText(await metrics.registry.metrics()), name, {
      service: 'accounting',
      queue: stream,
      ...labels,
    });
  const pendingCount = async () =>
    Number(((await run((r) => r.xpending(stream, 'accounting'))) as unknown[])[0]);
  return { stream, consumer, producer, received, lines, exit, sample, pendingCount };
}

describe('StreamConsumer', () => {
  test('round trip: the process span continues the producer trace, then the message is acked', async () => {
    const h = await setup();
    const request = tracer.startSpan('POST /orders', { kind: SpanKind.SERVER });
    const id = await context.with(trace.setSpan(context.active(), request), () =>
      h.producer.publish('order placed', { orderId: 'o-1', total: 42.5 }),
    );
    request.end();
    await waitFor('the message', () => h.received.length === 1);
    expect(h.received[0]).toEqual({
      id,
      type: 'order placed',
      payload: { orderId: 'o-1', total: 42.5 },
      publishedAt: expect.any(Number),
    });
    await waitFor('the ack', async () => (await h.pendingCount()) === 0);

    const spans = exporter.getFinishedSpans();
    const send = spans.find((s) => s.name === `send ${h.stream}`)!;
    await waitFor('the process span', () =>
      exporter.getFinishedSpans().some((s) => s.name === `process ${h.stream}`),
    );
    const processSpan = exporter.getFinishedSpans().find((s) => s.name === `process ${h.stream}`)!;
    expect(processSpan.kind).toBe(SpanKind.CONSUMER);
    expect(processSpan.spanContext().traceId).toBe(request.spanContext().traceId);
    expect(processSpan.parentSpanContext?.spanId).toBe(send.spanContext().spanId);
    expect(processSpan.attributes).toEqual({
      'messaging.system': 'redis',
      'messaging.system.name': 'redis',
      'peer.service': 'redis',
      'messaging.destination.name': h.stream,
      'messaging.operation.type': 'process',
      'messaging.operation.name': 'process',
      'messaging.consumer.group.name': 'accounting',
      'messaging.client.id': 'accounting-0',
      'messaging.message.id': id,
    });
    const ack = exporter.getFinishedSpans().find((s) => s.name === 'XACK')!;
    expect(ack.parentSpanContext?.spanId).toBe(processSpan.spanContext().spanId);
    // Polling commands start no traces of their own.
    expect(
      exporter.getFinishedSpans().filter((s) => /^(XREADGROUP|XAUTOCLAIM|XINFO|XGROUP)$/.test(s.name)),
    ).toEqual([]);
    expect(await h.sample('queue_messages_processed_total', { group: 'accounting', outcome: 'ok' })).toBe(1);
    expect(await h.sample('queue_process_duration_seconds_count')).toBe(1);
  });

  test('a failed handler leaves the message pending; it is retried after claimIdleMs', async () => {
    let calls = 0;
    const h = await setup({
      handler: async () => {
        if (++calls === 1) throw new Error('postgres: connection refused');
      },
    });
    const id = await h.producer.publish('order placed', { orderId: 'o-1' });
    await waitFor('the failure', () => calls === 1);
    expect(await h.pendingCount()).toBe(1);
    await waitFor('the retry', () => calls === 2, 3000);
    await waitFor('the ack', async () => (await h.pendingCount()) === 0);
    const failure = h.lines.find((l) => l.level === 'error')!;
    expect(failure).toMatchObject({
      message_id: id,
      queue: h.stream,
      group: 'accounting',
      err: { message: 'postgres: connection refused' },
      trace_id: expect.any(String),
    });
    expect(failure.msg).toBe(`processing message ${id} of ${h.stream} failed: postgres: connection refused`);
    expect(await h.sample('queue_messages_processed_total', { outcome: 'error' })).toBe(1);
    expect(await h.sample('queue_messages_processed_total', { outcome: 'ok' })).toBe(1);
    const failed = exporter
      .getFinishedSpans()
      .find((s) => s.name === `process ${h.stream}` && s.status.code === SpanStatusCode.ERROR)!;
    expect(failed.attributes['error.type']).toBe('Error');
  });

  test("claims a dead consumer's pending message once it has been idle claimIdleMs", async () => {
    const h = await setup({}, false);
    await run((r) => r.xgroup('CREATE', h.stream, 'accounting', '$', 'MKSTREAM'));
    const id = await h.producer.publish('order placed', { orderId: 'o-1' });
    // accounting-9 takes it and dies.
    await run((r) =>
      r.xreadgroup('GROUP', 'accounting', 'accounting-9', 'COUNT', 1, 'STREAMS', h.stream, '>'),
    );
    await h.consumer.start();
    await waitFor('the claim', () => h.received.length === 1, 3000);
    expect(h.received[0].id).toBe(id);
    await waitFor('the ack', async () => (await h.pendingCount()) === 0);
    expect(h.lines.some((l) => l.msg.startsWith('claimed 1 message(s)') && l.level === 'info')).toBe(true);
  });

  test('after a restart it first finishes what it had been given, without waiting for claimIdleMs', async () => {
    const h = await setup({ claimIdleMs: 60_000 }, false);
    await run((r) => r.xgroup('CREATE', h.stream, 'accounting', '$', 'MKSTREAM'));
    const id = await h.producer.publish('order placed', { orderId: 'o-1' });
    await run((r) =>
      r.xreadgroup('GROUP', 'accounting', 'accounting-0', 'COUNT', 1, 'STREAMS', h.stream, '>'),
    );
    await h.consumer.start();
    await waitFor('the pending message', () => h.received.length === 1, 1000);
    expect(h.received[0].id).toBe(id);
  });

  test("poison message, 'crash' (the default): fatal line, exit(1), still pending, and again after a restart", async () => {
    const h = await setup();
    const id = String(
      await run((r) => r.xadd(h.stream, '*', 'type', 'order placed', 'payload', '{"orderId": "o-1", tot')),
    );
    await waitFor('exit', () => h.exit.mock.calls.length === 1);
    expect(h.exit).toHaveBeenCalledWith(1);
    const fatal = h.lines.find((l) => l.level === 'fatal')!;
    expect(fatal).toMatchObject({
      message_id: id,
      reason: 'payload is not valid JSON',
      payload: '{"orderId": "o-1", tot',
    });
    expect(fatal.msg).toBe(`poison message ${id} on ${h.stream}: payload is not valid JSON; exiting`);
    expect(await h.pendingCount()).toBe(1);
    expect(await h.sample('queue_messages_processed_total', { outcome: 'poison' })).toBe(1);
    // Good messages behind it are not processed by the crashed consumer.
    await h.producer.publish('order placed', { orderId: 'o-2' });
    await new Promise((r) => setTimeout(r, 300));
    expect(h.received).toEqual([]);

    // Kubernetes restarts the container: same pod name, same consumer, same poison.
    const restarted = await setup({ claimIdleMs: 60_000 }, true, h.stream);
    await waitFor('the second exit', () => restarted.exit.mock.calls.length === 1);
    expect(restarted.received).toEqual([]);
  });

  test("poison message, 'dead-letter': copied to <stream>:dead, acked, and the queue moves on", async () => {
    const h = await setup({
      onPoison: 'dead-letter',
      requiredFields: ['orderId'],
      handler: async (m) => {
        if ((m.payload as { orderId: string }).orderId === 'bad')
          throw new PoisonMessageError('unknown order bad');
        h.received.push(m);
      },
    });
    const notJson = String(
      await run((r) => r.xadd(h.stream, '*', 'type', 'order placed', 'payload', 'nope')),
    );
    const noOrder = await h.producer.publish('order placed', { total: 1 });
    const rejected = await h.producer.publish('order placed', { orderId: 'bad' });
    const good = await h.producer.publish('order placed', { orderId: 'o-1' });
    await waitFor('the good message', () => h.received.length === 1);
    expect(h.received[0].id).toBe(good);
    await waitFor('the acks', async () => (await h.pendingCount()) === 0);
    expect(h.exit).not.toHaveBeenCalled();

    const dead = (await run((r) => r.xrange(`${h.stream}:dead`, '-', '+'))) as Array<[string, string[]]>;
    const asObject = (flat: string[]) =>
      Object.fromEntries(flat.flatMap((v, i) => (i % 2 ? [] : [[v, flat[i + 1]]])));
    expect(dead.map(([, f]) => asObject(f))).toEqual([
      expect.objectContaining({
        type: 'order placed',
        payload: 'nope',
        original_id: notJson,
        group: 'accounting',
        reason: 'payload is not valid JSON',
      }),
      expect.objectContaining({
        original_id: noOrder,
        reason: 'payload lacks orderId',
        payload: '{"total":1}',
      }),
      expect.objectContaining({ original_id: rejected, reason: 'unknown order bad' }),
    ]);
    expect(await h.sample('queue_messages_processed_total', { outcome: 'dead_lettered' })).toBe(3);
    const errors = h.lines.filter((l) => l.level === 'error').map((l) => l.msg);
    expect(errors).toContain(
      `poison message ${notJson} on ${h.stream} moved to ${h.stream}:dead: payload is not valid JSON`,
    );
  });

  test('lag, pending and oldest-unacked age rise while a handler is stuck, and fall when it finishes', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const offsetMs = 60_000;
    const h = await setup({ handler: () => gate, batchSize: 1, now: () => Date.now() + offsetMs });
    cleanup.push(async () => release());
    for (let i = 0; i < 3; i++) await h.producer.publish('order placed', { orderId: `o-${i}` });
    await waitFor('one pending, two undelivered', async () => {
      await h.consumer.refreshGauges();
      return (await h.sample('queue_consumer_pending')) === 1 && (await h.sample('queue_consumer_lag')) === 2;
    });
    // The timer keeps refreshing while the handler is stuck: the age keeps growing past the clock offset.
    const age = await h.sample('queue_oldest_unacked_age_seconds');
    expect(age).toBeGreaterThanOrEqual(offsetMs / 1000);
    expect(age).toBeLessThan(offsetMs / 1000 + 5);
    await new Promise((r) => setTimeout(r, 300));
    expect(await h.sample('queue_oldest_unacked_age_seconds')).toBeGreaterThan(age);

    release();
    await waitFor('an empty backlog', async () => {
      await h.consumer.refreshGauges();
      return (
        (await h.sample('queue_consumer_pending')) === 0 &&
        (await h.sample('queue_consumer_lag')) === 0 &&
        (await h.sample('queue_oldest_unacked_age_seconds')) === 0
      );
    });
  });

  test('held (in-flight limit 0): reads nothing while the backlog gauges keep growing; released, it catches up', async () => {
    let held = true;
    const h = await setup({ held: () => held });
    for (let i = 0; i < 3; i++) await h.producer.publish('order placed', { orderId: `o-${i}` });
    await waitFor('three undelivered', async () => (await h.sample('queue_consumer_lag')) === 3);
    await new Promise((r) => setTimeout(r, 400));
    expect(h.received).toHaveLength(0);
    expect(await h.sample('queue_consumer_lag')).toBe(3);
    expect(await h.sample('queue_oldest_unacked_age_seconds')).toBeGreaterThan(0);

    held = false;
    await waitFor('all three handled', () => h.received.length === 3);
    await waitFor('an empty backlog', async () => (await h.sample('queue_consumer_lag')) === 0);
  });

  test('stop(): prompt when idle; waits for the message in hand and acks it; then reads nothing more', async () => {
    const idle = await setup({ blockMs: 1000 });
    await new Promise((r) => setTimeout(r, 100));
    let t = Date.now();
    await idle.consumer.stop();
    expect(Date.now() - t).toBeLessThan(1500);

    let finished = false;
    const h = await setup({
      handler: async () => {
        await new Promise((r) => setTimeout(r, 400));
        finished = true;
      },
    });
    await h.producer.publish('order placed', { orderId: 'o-1' });
    await waitFor('the message in hand', async () => (await h.pendingCount()) === 1);
    t = Date.now();
    await h.consumer.stop();
    expect(finished).toBe(true);
    expect(Date.now() - t).toBeLessThan(2000);
    expect(await h.pendingCount()).toBe(0);
    await h.producer.publish('order placed', { orderId: 'o-2' });
    await new Promise((r) => setTimeout(r, 300));
    expect(await h.pendingCount()).toBe(0);
    expect(await h.sample('queue_messages_processed_total')).toBe(1);
  });
});
