import { Agent, createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { trace } from '@opentelemetry/api';
import { afterAll, afterEach, describe, expect, test } from '@jest/globals';
import { pino } from 'pino';
import { freePorts } from '../dev/free-port.js';
import { parsePrometheusText, sumSamples } from '../dev/prom-text.js';
import { DependencyError } from './dependency-error.js';
import { DependencyClient } from './http-client.js';
import { HttpError } from './http-error.js';
import { ShopMetrics } from './metrics.js';
import { SettingsStore } from './settings-store.js';

type Behaviour = (req: IncomingMessage, res: ServerResponse, hit: number) => void;

const servers: Server[] = [];
const agent = new Agent({ keepAlive: false });

async function serve(
  behaviour: Behaviour,
): Promise<{ url: string; hits: () => number; arrivals: () => number; port: number }> {
  let hits = 0;
  // Requests whose headers arrived, body read or not: a client that gave up may abort before the end.
  let arrivals = 0;
  const server = createServer((req, res) => {
    arrivals++;
    req.resume();
    req.on('end', () => behaviour(req, res, ++hits));
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}`, hits: () => hits, arrivals: () => arrivals, port };
}

function client(baseUrl: string, over: Partial<ConstructorParameters<typeof DependencyClient>[0]> = {}) {
  const metrics = new ShopMetrics();
  const lines: Array<Record<string, unknown>> = [];
  const c = new DependencyClient({
    service: 'checkout',
    dependency: 'payment',
    baseUrl,
    timeoutMs: 300,
    retries: 1,
    tracer: trace.getTracer('test'),
    metrics,
    logger: pino({ level: 'info' }, { write: (l: string) => lines.push(JSON.parse(l)) }),
    agent,
    random: () => 0,
    ...over,
  });
  const samples = async () => parsePrometheusText(await metrics.registry.metrics());
  return { c, samples, lines };
}

const json = (res: ServerResponse, status: number, body: unknown) =>
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

afterEach(() => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    s.close();
  }
});
afterAll(() => agent.destroy());

describe('DependencyClient', () => {
  test('GET retries once on 503 and returns the second answer', async () => {
    const srv = await serve((_req, res, hit) =>
      hit === 1 ? json(res, 503, { error: 'busy' }) : json(res, 200, { ok: true }),
    );
    const { c, samples } = client(srv.url);
    expect(await c.get('/x', '/x')).toEqual({ ok: true });
    expect(srv.hits()).toBe(2);
    const s = await samples();
    expect(sumSamples(s, 'http_client_requests_total', { dependency: 'payment', status: '503' })).toBe(1);
    expect(sumSamples(s, 'http_client_requests_total', { dependency: 'payment', status: '200' })).toBe(1);
  });

  test('a retried 503 is a warning, and the answer that follows says how many attempts it took', async () => {
    const srv = await serve((_req, res, hit) =>
      hit === 1 ? json(res, 503, { error: 'busy' }) : json(res, 200, { ok: true }),
    );
    const { c, lines } = client(srv.url);
    await c.get('/x', '/x');
    expect(lines.map((l) => [l.level, l.msg])).toEqual([
      [40, 'payment call failed: answered 503, retrying'],
      [30, 'payment call succeeded after 2 attempts'],
    ]);
    expect(lines[0]).toMatchObject({
      dependency: 'payment',
      err_code: 'HTTP_503',
      attempt: 1,
      retrying: true,
    });
    expect(lines[0]?.url).toBe(`${srv.url}/x`);
    expect(lines[1]).toMatchObject({ dependency: 'payment', attempts: 2 });
    // Includes the 50-150 ms pause before the retry (50 here; timers may fire a fraction of a ms early).
    expect(lines[1]?.duration_ms).toBeGreaterThanOrEqual(45);
  });

  test('a GET that times out and then answers logs the timeout and the success', async () => {
    const srv = await serve((_req, res, hit) => (hit === 1 ? undefined : json(res, 200, { ok: true })));
    const { c, lines } = client(srv.url);
    expect(await c.get('/slow', '/slow')).toEqual({ ok: true });
    expect(lines.map((l) => l.msg)).toEqual([
      `payment call failed: timed out after 300ms waiting for ${srv.url.slice(7)}, retrying`,
      'payment call succeeded after 2 attempts',
    ]);
    expect(lines[1]?.duration_ms).toBeGreaterThanOrEqual(340); // a 300 ms timeout, a 50 ms pause
  });

  test('a first-try answer logs nothing, and a retry that fails again claims no success', async () => {
    const ok = await serve((_req, res) => json(res, 200, {}));
    const first = client(ok.url);
    await first.c.get('/', '/');
    expect(first.lines).toEqual([]);
    const down = await serve((_req, res) => json(res, 503, { error: 'busy' }));
    const again = client(down.url);
    await expect(again.c.get('/', '/')).rejects.toMatchObject({ code: 'HTTP_503' });
    expect(again.lines.map((l) => l.msg)).toEqual(['payment call failed: answered 503, retrying']);
  });

  test('a POST that times out is not repeated and fails with ETIMEDOUT', async () => {
    const srv = await serve(() => undefined); // never answers
    const { c, samples } = client(srv.url);
    const started = Date.now();
    const err = await c.post('/charge', '/charge', { amountUsd: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DependencyError);
    expect(err).toMatchObject({ dependency: 'payment', code: 'ETIMEDOUT', proxyStatus: 504 });
    expect(Date.now() - started).toBeLessThan(1000);
    // Client and server share this process: under load the client's timer can fire before the server's
    // read of the request, which then comes right after. Give it a moment, then count what arrived.
    for (let i = 0; i < 50 && srv.arrivals() === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(srv.arrivals()).toBe(1);
    expect(sumSamples(await samples(), 'http_client_requests_total', { status: 'error' })).toBe(1);
  });

  test('a GET that times out is tried twice', async () => {
    const srv = await serve(() => undefined);
    const { c } = client(srv.url);
    await expect(c.get('/slow', '/slow')).rejects.toMatchObject({ code: 'ETIMEDOUT' });
    expect(srv.hits()).toBe(2);
  });

  test('connection refused is retried for any method, then surfaces as ECONNREFUSED', async () => {
    const [port] = await freePorts(1);
    const { c, samples } = client(`http://127.0.0.1:${port}`);
    await expect(c.post('/charge', '/charge', {})).rejects.toMatchObject({
      code: 'ECONNREFUSED',
      proxyStatus: 503,
    });
    expect(sumSamples(await samples(), 'http_client_requests_total', { status: 'error' })).toBe(2);
  });

  test('4xx becomes HttpError with the same status; 5xx becomes DependencyError', async () => {
    const srv = await serve((req, res) =>
      req.url === '/declined'
        ? json(res, 402, { error: 'payment declined' })
        : json(res, 500, { error: 'boom' }),
    );
    const { c } = client(srv.url, { retries: 0 });
    const declined = await c.post('/declined', '/declined', {}).catch((e: unknown) => e);
    expect(declined).toBeInstanceOf(HttpError);
    expect(declined).toMatchObject({ status: 402, message: 'payment declined' });
    await expect(c.post('/boom', '/boom', {})).rejects.toMatchObject({
      code: 'HTTP_500',
      upstreamStatus: 500,
      proxyStatus: 502,
    });
  });

  test('a 404 from a route naming no resource is a missing endpoint: a failed call, not an answer', async () => {
    const srv = await serve((req, res) => json(res, 404, { error: `no route for GET ${req.url}` }));
    const { c, samples } = client(srv.url, { retries: 0 });
    await expect(c.get('/convert?amount=1', '/convert')).rejects.toMatchObject({
      name: 'DependencyError',
      code: 'HTTP_404',
      upstreamStatus: 404,
      proxyStatus: 502,
    });
    // a resource route's 404 is the dependency's answer ("no such product"), passed on as such
    const missing = await c.get('/products/x', '/products/:id').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(HttpError);
    expect(missing).toMatchObject({ status: 404 });
    expect(sumSamples(await samples(), 'http_client_requests_total', { status: '404' })).toBe(2);
  });

  test('the upstream setting redirects this dependency only, and clearing it restores the original', async () => {
    const good = await serve((_req, res) => json(res, 200, { from: 'good' }));
    const other = await serve((_req, res) => json(res, 200, { from: 'other' }));
    const settings = new SettingsStore();
    const { c } = client(good.url, { settings });
    settings.update({ upstream: { dependency: 'payment', address: `127.0.0.1:${other.port}` } });
    expect(await c.get('/', '/')).toEqual({ from: 'other' });
    settings.update({ upstream: { dependency: 'cart', address: `127.0.0.1:${other.port}` } });
    expect(await c.get('/', '/')).toEqual({ from: 'good' });
    settings.update({});
    expect(await c.get('/', '/')).toEqual({ from: 'good' });
  });

  test('propagates a W3C traceparent header when a span is active', async () => {
    let seen: string | undefined;
    const srv = await serve((req, res) => {
      seen = req.headers.traceparent as string | undefined;
      json(res, 200, {});
    });
    const { BasicTracerProvider } = await import('@opentelemetry/sdk-trace-base');
    const { W3CTraceContextPropagator } = await import('@opentelemetry/core');
    const { propagation } = await import('@opentelemetry/api');
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    const tracer = new BasicTracerProvider().getTracer('t');
    const { c } = client(srv.url, { tracer });
    await c.get('/', '/');
    expect(seen).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    propagation.disable();
  });
});
