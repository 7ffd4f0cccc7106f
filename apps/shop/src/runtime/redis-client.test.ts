import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { context, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { pino } from 'pino';
import { parsePrometheusText, sumSamples } from '../dev/prom-text.js';
import { startRedisServer, type RedisServer } from '../dev/redis-server.js';
import { ShopMetrics } from './metrics.js';
import { InstrumentedRedis } from './redis-client.js';

const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
// Registered for its context manager: requireParent looks for the active span.
provider.register();
const tracer = provider.getTracer('t');
let server: RedisServer;

beforeAll(async () => {
  server = await startRedisServer();
});
afterAll(async () => {
  await server.stop();
  await provider.shutdown();
});

function client(metrics = new ShopMetrics(), commandTimeoutMs = 300): InstrumentedRedis {
  return new InstrumentedRedis({
    service: 'cart',
    endpoint: { host: '127.0.0.1', port: server.port, password: server.password, db: 0 },
    commandTimeoutMs,
    retries: 0,
    tracer,
    metrics,
    logger: pino({ level: 'silent' }),
  });
}

describe('InstrumentedRedis', () => {
  test('requireParent: no span outside an active one, metrics either way', async () => {
    const metrics = new ShopMetrics();
    const redis = client(metrics);
    try {
      exporter.reset();
      await redis.command('PING', (r) => r.ping(), { requireParent: true });
      expect(exporter.getFinishedSpans()).toHaveLength(0);
      const parent = tracer.startSpan('parent');
      await context.with(trace.setSpan(context.active(), parent), () =>
        redis.command('PING', (r) => r.ping(), { requireParent: true }),
      );
      parent.end();
      const pings = exporter.getFinishedSpans().filter((s) => s.name === 'PING');
      expect(pings).toHaveLength(1);
      expect(pings[0].parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
      const samples = parsePrometheusText(await metrics.registry.metrics());
      expect(sumSamples(samples, 'redis_commands_total', { command: 'PING', status: 'ok' })).toBe(2);
    } finally {
      await redis.close();
    }
  });

  test('duplicate(): its own connection with a longer timeout, sharing the metrics, closed with the original', async () => {
    const metrics = new ShopMetrics();
    const redis = client(metrics, 300);
    const blocking = redis.duplicate(1000);
    try {
      // BLOCK 700 ms outlives the original's 300 ms command timeout but not the duplicate's 1300 ms, and the
      // original stays usable meanwhile.
      const blocked = blocking.command('XREAD', (r) => r.xread('BLOCK', 700, 'STREAMS', 'nothing', '$'));
      await expect(redis.command('PING', (r) => r.ping())).resolves.toBe('PONG');
      await expect(blocked).resolves.toBeNull();
      await expect(
        redis.command('XREAD', (r) => r.xread('BLOCK', 700, 'STREAMS', 'nothing', '$')),
      ).rejects.toMatchObject({ code: 'ETIMEDOUT' });
      const samples = parsePrometheusText(await metrics.registry.metrics());
      expect(sumSamples(samples, 'redis_commands_total', { command: 'XREAD' })).toBe(2);
    } finally {
      await redis.close();
    }
    await expect(blocking.command('PING', (r) => r.ping())).rejects.toThrow();
  });
});
