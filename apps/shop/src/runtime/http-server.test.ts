import { trace } from '@opentelemetry/api';
import { afterEach, describe, expect, test } from '@jest/globals';
import { pino } from 'pino';
import { parsePrometheusText, sumSamples } from '../dev/prom-text.js';
import { DependencyError } from './dependency-error.js';
import { HttpError } from './http-error.js';
import { ShopServer } from './http-server.js';
import { ShopMetrics } from './metrics.js';
import { Readiness } from './readiness.js';
import { SettingsStore } from './settings-store.js';

const running: ShopServer[] = [];

async function start(random = () => 0, slowRequestMs?: number) {
  const metrics = new ShopMetrics();
  const settings = new SettingsStore();
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'info' }, { write: (l: string) => lines.push(JSON.parse(l)) });
  const server = new ShopServer({
    service: 'payment',
    logger,
    metrics,
    tracer: trace.getTracer('t'),
    settings,
    readiness: new Readiness({
      bank: async () => Promise.reject(Object.assign(new Error('down'), { code: 'ECONNREFUSED' })),
    }),
    random,
    slowRequestMs,
    podName: 'payment-7c9d-abcde',
  });
  server.route('POST', '/charge/:id', async (req) => ({
    status: 201,
    body: { id: req.params.id, got: req.body },
  }));
  server.route('GET', '/teapot', async () => {
    throw new HttpError(418, 'short and stout');
  });
  server.route('GET', '/bank', async () => {
    throw new DependencyError('bank', 'ECONNREFUSED', 'connect ECONNREFUSED 10.0.0.1:443');
  });
  server.route('GET', '/bug', async () => {
    throw new TypeError('x is undefined');
  });
  const port = await server.listen(0, '127.0.0.1');
  running.push(server);
  const base = `http://127.0.0.1:${port}`;
  const samples = async () => parsePrometheusText(await metrics.registry.metrics());
  return { base, settings, lines, samples };
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close(100)));
});

async function timed(url: string, init?: RequestInit) {
  const t0 = performance.now();
  const res = await fetch(url, init);
  const body = await res.text();
  return { status: res.status, body: body ? JSON.parse(body) : undefined, ms: performance.now() - t0 };
}

describe('ShopServer', () => {
  test('routes with params, JSON bodies, templated metric labels and one access line', async () => {
    const { base, lines, samples } = await start();
    const r = await timed(`${base}/charge/o-1`, { method: 'POST', body: JSON.stringify({ a: 1 }) });
    expect(r).toMatchObject({ status: 201, body: { id: 'o-1', got: { a: 1 } } });
    const s = await samples();
    expect(
      sumSamples(s, 'http_server_requests_total', {
        service: 'payment',
        route: '/charge/:id',
        method: 'POST',
        status: '201',
      }),
    ).toBe(1);
    const access = lines.filter((l) => l.msg === 'request completed');
    expect(access).toHaveLength(1);
    expect(access[0]).toMatchObject({ level: 30, route: '/charge/:id', path: '/charge/o-1', status: 201 });
  });

  test('maps errors: HttpError keeps its status, dependency failures 503/504/502, bugs 500', async () => {
    const { base, lines } = await start();
    expect(await timed(`${base}/teapot`)).toMatchObject({ status: 418, body: { error: 'short and stout' } });
    expect(await timed(`${base}/bank`)).toMatchObject({
      status: 503,
      body: { error: 'bank unavailable (ECONNREFUSED)' },
    });
    expect(await timed(`${base}/bug`)).toMatchObject({ status: 500 });
    expect((await timed(`${base}/nothing`)).status).toBe(404);
    expect((await timed(`${base}/teapot`, { method: 'DELETE' })).status).toBe(405);
    expect((await timed(`${base}/charge/1`, { method: 'POST', body: '{nope' })).status).toBe(400);
    const bank = lines.find((l) => l.dependency === 'bank');
    expect(bank).toMatchObject({ level: 50, err_code: 'ECONNREFUSED' });
  });

  test('probes and /metrics stay out of the RED series', async () => {
    const { base, samples } = await start();
    expect(await timed(`${base}/healthz`)).toMatchObject({ status: 200 });
    expect(await timed(`${base}/readyz`)).toMatchObject({
      status: 503,
      body: { checks: { bank: 'ECONNREFUSED: down' } },
    });
    await fetch(`${base}/metrics`).then((r) => r.text());
    expect(sumSamples(await samples(), 'http_server_requests_total')).toBe(0);
  });

  test('latency and errors settings apply to matching routes and stop when cleared', async () => {
    const { base, settings } = await start();
    settings.update({ latency: { ms: 250, probability: 1, route: '/charge/:id' } });
    const slow = await timed(`${base}/charge/1`, { method: 'POST' });
    expect(slow.ms).toBeGreaterThanOrEqual(245);
    expect((await timed(`${base}/teapot`)).ms).toBeLessThan(200);
    settings.update({ errors: { fraction: 1, status: 503 } });
    expect(await timed(`${base}/charge/1`, { method: 'POST' })).toMatchObject({
      status: 503,
      body: { error: 'service unavailable' },
    });
    settings.update({});
    expect((await timed(`${base}/charge/1`, { method: 'POST' })).status).toBe(201);
  });

  test("only a latency setting scoped to exactly a probe path slows that probe, and only the kubelet's", async () => {
    // A delay far above what a loaded test machine adds, so fast and slowed stay apart.
    const SLOW_MS = 1000;
    const { base, settings } = await start();
    settings.update({ latency: { ms: SLOW_MS, probability: 1 } });
    expect((await timed(`${base}/healthz`)).ms).toBeLessThan(SLOW_MS / 2);
    settings.update({ latency: { ms: SLOW_MS, probability: 1, route: '/charge/:id' } });
    expect((await timed(`${base}/healthz`)).ms).toBeLessThan(SLOW_MS / 2);
    settings.update({ latency: { ms: SLOW_MS, probability: 1, route: '/healthz' } });
    // Only the kubelet's probes: a caller's readiness check of this service stays fast.
    expect((await timed(`${base}/healthz`)).ms).toBeLessThan(SLOW_MS / 2);
    const slow = await timed(`${base}/healthz`, { headers: { 'user-agent': 'kube-probe/1.34' } });
    expect(slow).toMatchObject({ status: 200 });
    expect(slow.ms).toBeGreaterThanOrEqual(SLOW_MS - 5);
    expect((await timed(`${base}/readyz`)).ms).toBeLessThan(SLOW_MS / 2);
    expect((await timed(`${base}/charge/1`, { method: 'POST' })).ms).toBeLessThan(SLOW_MS / 2);
    settings.update({
      latency: { ms: SLOW_MS, probability: 1, route: '/healthz', pod: 'payment-7c9d-abcde' },
    });
    expect(
      (await timed(`${base}/healthz`, { headers: { 'user-agent': 'kube-probe/1.34' } })).ms,
    ).toBeGreaterThanOrEqual(SLOW_MS - 5);
    // Scoped to another pod: this one's probes stay fast.
    settings.update({
      latency: { ms: SLOW_MS, probability: 1, route: '/healthz', pod: 'payment-7c9d-other' },
    });
    expect(
      (await timed(`${base}/healthz`, { headers: { 'user-agent': 'kube-probe/1.34' } })).ms,
    ).toBeLessThan(SLOW_MS / 2);
  });

  test('a fraction applies to roughly that share of requests', async () => {
    let i = 0;
    const { base, settings } = await start(() => (i++ % 4) / 4); // 0, .25, .5, .75, ...
    settings.update({ errors: { fraction: 0.5, status: 500 } });
    const statuses = [];
    for (let n = 0; n < 8; n++) statuses.push((await timed(`${base}/charge/1`, { method: 'POST' })).status);
    expect(statuses.filter((s) => s === 500)).toHaveLength(4);
  });

  test('a request slower than slowRequestMs also gets a warning with the threshold', async () => {
    const { base, settings, lines } = await start(() => 0, 100);
    await timed(`${base}/charge/1`, { method: 'POST', headers: { 'x-request-id': 'fast-1' } });
    settings.update({ latency: { ms: 150, probability: 1 } });
    await timed(`${base}/charge/2`, { method: 'POST', headers: { 'x-request-id': 'slow-1' } });
    const slow = lines.filter((l) => l.msg === 'slow request');
    expect(slow).toHaveLength(1);
    expect(slow[0]).toMatchObject({
      level: 40,
      method: 'POST',
      route: '/charge/:id',
      path: '/charge/2',
      status: 201,
      threshold_ms: 100,
      request_id: 'slow-1',
    });
    // Timers may fire a fraction of a millisecond early.
    expect(slow[0]?.duration_ms).toBeGreaterThanOrEqual(145);
    // The warning comes after the access line of the same request, never instead of it.
    const access = lines.findIndex((l) => l.msg === 'request completed' && l.request_id === 'slow-1');
    expect(access).toBeGreaterThanOrEqual(0);
    expect(lines.indexOf(slow[0]!)).toBe(access + 1);
  });

  test('without a threshold nothing is ever slow, and probes are never logged', async () => {
    const { base, settings, lines } = await start();
    settings.update({ latency: { ms: 120, probability: 1 } });
    await timed(`${base}/charge/1`, { method: 'POST' });
    await timed(`${base}/healthz`);
    expect(lines.filter((l) => l.msg === 'slow request')).toEqual([]);
  });

  test('close() finishes in-flight requests', async () => {
    const { base, settings } = await start();
    settings.update({ latency: { ms: 200, probability: 1 } });
    const pending = timed(`${base}/charge/1`, { method: 'POST' });
    await new Promise((r) => setTimeout(r, 50));
    await running.pop()!.close(1000);
    expect((await pending).status).toBe(201);
  });
});
