import { Agent, createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, describe, expect, test } from '@jest/globals';
import { trace } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import { pino } from 'pino';
import { freePorts } from '../dev/free-port.js';
import { DependencyError } from './dependency-error.js';
import { DependencyClient } from './http-client.js';
import { ShopServer } from './http-server.js';
import { ShopMetrics } from './metrics.js';
import { Readiness } from './readiness.js';
import { InstrumentedRedis } from './redis-client.js';
import { SettingsStore } from './settings-store.js';
import { startTracing } from './tracing.js';

/**
 * The attribute keys and values the shop puts on the wire, spelled out as literals: the code names them
 * with @opentelemetry/semantic-conventions constants, and Jaeger queries, firedrill's normalisation,
 * topology and exporters all depend on the exact strings, so a constant that drifted in a package update
 * must fail here.
 */

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const tracer = provider.getTracer('t');
const logger = pino({ level: 'silent' });
const agent = new Agent({ keepAlive: false });
const closers: Array<() => Promise<void>> = [];

afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
  exporter.reset();
});
afterAll(async () => {
  agent.destroy();
  await provider.shutdown();
});

const spans = (): ReadableSpan[] => exporter.getFinishedSpans();

async function upstream(status: number): Promise<number> {
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(status, { 'content-type': 'application/json' }).end('{}'));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  closers.push(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });
  return (server.address() as AddressInfo).port;
}

function dependency(baseUrl: string, retries = 0): DependencyClient {
  return new DependencyClient({
    service: 'checkout',
    dependency: 'payment',
    baseUrl,
    timeoutMs: 500,
    retries,
    tracer,
    metrics: new ShopMetrics(),
    logger,
    agent,
    random: () => 0,
  });
}

describe('span attributes on the wire', () => {
  test('server spans', async () => {
    const server = new ShopServer({
      service: 'payment',
      logger,
      metrics: new ShopMetrics(),
      tracer,
      settings: new SettingsStore(),
      readiness: new Readiness({}),
      random: () => 0,
    });
    server.route('GET', '/charge/:id', async () => ({ status: 200, body: {} }));
    server.route('GET', '/bank', async () => {
      throw new DependencyError('bank', 'ECONNREFUSED', 'connect ECONNREFUSED 10.0.0.1:443');
    });
    const port = await server.listen(0, '127.0.0.1');
    closers.push(() => server.close(100));
    await fetch(`http://127.0.0.1:${port}/charge/7`).then((r) => r.text());
    await fetch(`http://127.0.0.1:${port}/bank`).then((r) => r.text());

    const [ok, failed] = spans();
    expect(ok?.attributes).toEqual({
      'http.request.method': 'GET',
      'http.route': '/charge/:id',
      'url.path': '/charge/7',
      'server.port': port,
      'client.address': expect.stringMatching(/127\.0\.0\.1$/),
      'http.response.status_code': 200,
    });
    expect(failed?.attributes).toMatchObject({
      'http.route': '/bank',
      'http.response.status_code': 503,
      'error.type': expect.any(String),
    });
  });

  test('client spans, with the retry count and the error type of a refused connection', async () => {
    const port = await upstream(200);
    await dependency(`http://127.0.0.1:${port}`).get('/charge/7', '/charge/:id');
    expect(spans()[0]?.attributes).toEqual({
      'http.request.method': 'GET',
      'server.address': '127.0.0.1',
      'server.port': port,
      'url.full': `http://127.0.0.1:${port}/charge/7`,
      'peer.service': 'payment',
      'http.response.status_code': 200,
    });

    exporter.reset();
    const [closed] = await freePorts(1);
    await expect(
      dependency(`http://127.0.0.1:${closed}`, 1).get('/charge/7', '/charge/:id'),
    ).rejects.toBeInstanceOf(DependencyError);
    const attempts = spans().map((s) => s.attributes);
    expect(attempts).toHaveLength(2);
    expect(attempts[0]).toMatchObject({ 'error.type': 'ECONNREFUSED' });
    expect(attempts[0]).not.toHaveProperty(['http.request.resend_count']);
    expect(attempts[1]).toMatchObject({ 'http.request.resend_count': 1, 'error.type': 'ECONNREFUSED' });
  });

  test('Redis client spans', async () => {
    const [closed] = await freePorts(1);
    const redis = new InstrumentedRedis({
      service: 'cart',
      endpoint: { host: '127.0.0.1', port: closed as number, db: 0 },
      commandTimeoutMs: 200,
      retries: 0,
      tracer,
      metrics: new ShopMetrics(),
      logger,
    });
    closers.push(() => redis.close());
    // The command callbacks stand in for ioredis: only the span around them is under test.
    await redis.command('GET', async () => 'v');
    await expect(
      redis.command('SET', async () => Promise.reject(new Error('WRONGPASS invalid password'))),
    ).rejects.toBeInstanceOf(DependencyError);

    const [get, set] = spans();
    expect(get?.attributes).toEqual({
      'db.system': 'redis',
      'db.system.name': 'redis',
      'db.operation.name': 'GET',
      'db.namespace': '0',
      'server.address': '127.0.0.1',
      'server.port': closed,
      'peer.service': 'redis',
    });
    expect(set?.attributes).toMatchObject({ 'db.operation.name': 'SET', 'error.type': 'WRONGPASS' });
  });

  test('resource attributes name the service and its pod', async () => {
    const tracing = startTracing({ service: 'cart', podName: 'cart-0', podNamespace: 'shop' });
    try {
      const span = tracing.tracer.startSpan('x');
      span.end();
      expect((span as unknown as ReadableSpan).resource.attributes).toMatchObject({
        'service.name': 'cart',
        'service.namespace': 'shop',
        'k8s.pod.name': 'cart-0',
        'k8s.namespace.name': 'shop',
      });
    } finally {
      await tracing.shutdown();
      trace.disable();
    }
  });
});
