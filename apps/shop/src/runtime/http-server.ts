import {
  createServer,
  STATUS_CODES,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  context,
  propagation,
  trace,
  type Tracer,
} from '@opentelemetry/api';
import type { Logger } from 'pino';
import {
  ATTR_CLIENT_ADDRESS,
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_SERVER_PORT,
  ATTR_URL_PATH,
} from '@opentelemetry/semantic-conventions';
import { DependencyError } from './dependency-error.js';
import { HttpError } from './http-error.js';
import type { ShopMetrics } from './metrics.js';
import type { Readiness } from './readiness.js';
import { Router } from './router.js';
import { routeMatches } from './settings.js';
import type { SettingsStore } from './settings-store.js';

export interface ShopRequest {
  method: string;
  path: string;
  /** Templated route, e.g. `/carts/:userId`. */
  route: string;
  params: Record<string, string>;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** Parsed JSON body (undefined when empty). */
  body: unknown;
  log: Logger;
}

export interface ShopReply {
  status?: number;
  body?: unknown;
}

export type Handler = (req: ShopRequest) => Promise<ShopReply>;

export interface ShopServerOptions {
  service: string;
  logger: Logger;
  metrics: ShopMetrics;
  tracer: Tracer;
  settings?: SettingsStore;
  readiness?: Readiness;
  /** Requests that stay out of traces, RED metrics and access logs (the flags service's polling endpoint). */
  untracked?: (method: string, route: string) => boolean;
  /** Requests that take longer than this are also logged at warn as `slow request`; absent: never. */
  slowRequestMs?: number;
  random?: () => number;
  /** This process's pod (POD_NAME), for settings scoped to one pod. */
  podName?: string;
}

const MAX_BODY_BYTES = 256 * 1024;
const PROBE_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * node:http server with the shop's conventions built in: probes and /metrics, a SERVER span per request with
 * W3C context extracted, RED metrics by templated route, one access log line per request (plus a warning when
 * it was slow), and the `latency` and `errors` runtime settings applied before the handler runs.
 */
export class ShopServer {
  private readonly router = new Router<Handler>();
  private server: Server | undefined;
  private readonly random: () => number;

  constructor(private readonly opts: ShopServerOptions) {
    this.random = opts.random ?? Math.random;
  }

  route(method: string, template: string, handler: Handler): this {
    this.router.add(method, template, handler);
    return this;
  }

  async listen(port: number, host?: string): Promise<number> {
    const server = createServer((req, res) => void this.handle(req, res));
    server.keepAliveTimeout = 30_000;
    server.headersTimeout = 35_000;
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return (server.address() as AddressInfo).port;
  }

  /** Stops accepting, lets in-flight requests finish for up to `graceMs`, then drops what is left. */
  async close(graceMs = 1000): Promise<void> {
    const server = this.server;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const timer = setTimeout(() => server.closeAllConnections(), graceMs);
    await closed;
    clearTimeout(timer);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    if (PROBE_PATHS.has(path)) return this.probe(path, req, res);

    const match = this.router.match(method, path);
    const route = typeof match === 'object' ? match.route : 'unmatched';
    if (this.opts.untracked?.(method, route)) {
      const { status, body } = await this.run(req, match, method, path, url, this.opts.logger, false);
      return send(res, status, body);
    }

    const parent = propagation.extract(ROOT_CONTEXT, req.headers);
    const span = this.opts.tracer.startSpan(
      `${method} ${route}`,
      {
        kind: SpanKind.SERVER,
        attributes: {
          [ATTR_HTTP_REQUEST_METHOD]: method,
          [ATTR_HTTP_ROUTE]: route,
          [ATTR_URL_PATH]: path,
          [ATTR_SERVER_PORT]: req.socket.localPort ?? 0,
          [ATTR_CLIENT_ADDRESS]: req.socket.remoteAddress ?? '',
        },
      },
      parent,
    );
    const started = process.hrtime.bigint();
    await context.with(trace.setSpan(parent, span), async () => {
      const { status, body, error } = await this.run(req, match, method, path, url, this.opts.logger, true);
      send(res, status, body);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
      if (status >= 500) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: error ?? STATUS_CODES[status] });
        if (error) span.setAttribute(ATTR_ERROR_TYPE, error);
      }
      const labels = { service: this.opts.service, route, method, status: String(status) };
      this.opts.metrics.serverRequests.inc(labels);
      this.opts.metrics.serverDuration.observe(labels, seconds);
      const durationMs = Math.round(seconds * 1000 * 10) / 10;
      const requestId = header(req, 'x-request-id');
      this.opts.logger.info(
        { method, route, path, status, duration_ms: durationMs, request_id: requestId },
        'request completed',
      );
      const threshold = this.opts.slowRequestMs;
      if (threshold !== undefined && durationMs > threshold) {
        this.opts.logger.warn(
          {
            method,
            route,
            path,
            status,
            duration_ms: durationMs,
            threshold_ms: threshold,
            request_id: requestId,
          },
          'slow request',
        );
      }
      span.end();
    });
  }

  private async run(
    req: IncomingMessage,
    match: ReturnType<Router<Handler>['match']>,
    method: string,
    path: string,
    url: URL,
    log: Logger,
    applySettings: boolean,
  ): Promise<{ status: number; body: unknown; error?: string }> {
    try {
      const body = await readJson(req);
      if (match === undefined) throw new HttpError(404, `no route for ${method} ${path}`);
      if (match === 'method-not-allowed') throw new HttpError(405, `method ${method} not allowed on ${path}`);
      if (applySettings) await this.applySettings(match.route, path);
      const reply = await match.value({
        method,
        path,
        route: match.route,
        params: match.params,
        query: url.searchParams,
        headers: req.headers,
        body,
        log,
      });
      return { status: reply.status ?? 200, body: reply.body };
    } catch (err) {
      return this.failure(err, method, match, path, log);
    }
  }

  private async applySettings(route: string, path: string): Promise<void> {
    const s = this.opts.settings?.current;
    if (!s) return;
    if (s.latency && routeMatches(s.latency.route, route, path) && this.random() < s.latency.probability) {
      await sleep(s.latency.ms);
    }
    if (s.errors && routeMatches(s.errors.route, route, path) && this.random() < s.errors.fraction) {
      throw new HttpError(s.errors.status, (STATUS_CODES[s.errors.status] ?? 'error').toLowerCase());
    }
  }

  private failure(
    err: unknown,
    method: string,
    match: ReturnType<Router<Handler>['match']>,
    path: string,
    log: Logger,
  ): { status: number; body: unknown; error?: string } {
    const route = typeof match === 'object' ? match.route : path;
    if (err instanceof HttpError) {
      if (err.status >= 500) log.error({ status: err.status }, `${method} ${route} failed: ${err.message}`);
      return {
        status: err.status,
        body: { error: err.message },
        error: err.status >= 500 ? 'http_error' : undefined,
      };
    }
    if (err instanceof DependencyError) {
      const status = err.proxyStatus;
      log.error(
        { dependency: err.dependency, err_code: err.code, upstream_status: err.upstreamStatus, status },
        `${method} ${route} failed: ${err.dependency}: ${err.message}`,
      );
      return { status, body: { error: `${err.dependency} unavailable (${err.code})` }, error: err.code };
    }
    const e = err instanceof Error ? err : new Error(String(err));
    log.error({ err: e }, `${method} ${route} failed: unhandled ${e.name}: ${e.message}`);
    return { status: 500, body: { error: 'internal server error' }, error: e.name };
  }

  private async probe(path: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      // A latency setting scoped to exactly this probe path slows the kubelet's probes of it (a liveness
      // check stuck behind something of its own) and nothing else: callers' own checks of /healthz (the
      // readiness of frontend and checkout) stay fast, and unscoped settings never touch probes.
      const slow = this.opts.settings?.current?.latency;
      if (
        slow?.route === path &&
        (slow.pod === undefined || slow.pod === this.opts.podName) &&
        header(req, 'user-agent')?.startsWith('kube-probe/')
      )
        await sleep(slow.ms);
      if (path === '/healthz') return send(res, 200, { status: 'ok' });
      if (path === '/readyz') {
        const r = this.opts.readiness ? await this.opts.readiness.evaluate() : { ready: true, checks: {} };
        return send(res, r.ready ? 200 : 503, { status: r.ready ? 'ready' : 'not ready', checks: r.checks });
      }
      const text = await this.opts.metrics.registry.metrics();
      res.writeHead(200, { 'content-type': this.opts.metrics.registry.contentType });
      res.end(text);
    } catch (err) {
      send(res, 500, { error: (err as Error).message });
    }
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, 'request body too large');
    chunks.push(chunk);
  }
  if (size === 0) return undefined;
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(400, 'request body is not valid JSON');
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent || res.destroyed) return;
  if (body === undefined || status === 204) {
    res.writeHead(status);
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
