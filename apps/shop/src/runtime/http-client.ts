import { type Agent, request as httpRequest, type OutgoingHttpHeaders } from 'node:http';
import { SpanKind, SpanStatusCode, context, propagation, trace, type Tracer } from '@opentelemetry/api';
import type { Logger } from 'pino';
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_REQUEST_RESEND_COUNT,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_FULL,
} from '@opentelemetry/semantic-conventions';
// peer.service is incubating (and deprecated for server.service.name), but Jaeger's dependency graph and
// firedrill's topology read it, so the shop keeps sending it.
import { ATTR_PEER_SERVICE } from '@opentelemetry/semantic-conventions/incubating';
import { BoundedLifetimeAgent, DEFAULT_CONNECTION_MAX_AGE_MS } from './connection-agent.js';
import { DependencyError } from './dependency-error.js';
import { HttpError } from './http-error.js';
import type { ShopMetrics } from './metrics.js';
import type { SettingsStore } from './settings-store.js';

export interface DependencyClientOptions {
  service: string;
  dependency: string;
  baseUrl: string;
  timeoutMs: number;
  /** Extra attempts after a retryable failure (see `retryable`). */
  retries: number;
  tracer: Tracer;
  metrics: ShopMetrics;
  logger: Logger;
  settings?: SettingsStore;
  agent?: Agent;
  random?: () => number;
}

export interface CallResult {
  status: number;
  body: unknown;
}

/** Failures where the request never reached the server: safe to retry whatever the method. */
const CONNECT_ERRORS = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
const RETRYABLE_STATUS = new Set([502, 503, 504]);
const PROBE_TIMEOUT_MS = 1000;

/** The connection pool of a service's dependency clients: kept alive, each connection retired after maxAgeMs. */
export function dependencyAgent(maxAgeMs: number = DEFAULT_CONNECTION_MAX_AGE_MS): Agent {
  return new BoundedLifetimeAgent({
    keepAlive: true,
    maxSockets: 64,
    timeout: 15_000,
    maxAgeMs,
    // LISTEN_HOST: on the local substrate each pod owns a loopback address. Calls leave from it, as a pod's
    // leave from its pod IP, so the Service proxies know which pod is calling.
    localAddress: process.env.LISTEN_HOST || undefined,
  });
}

let shared: Agent | undefined;
/** Clients made without a pool of their own share one with the default lifetime. */
function sharedAgent(): Agent {
  shared ??= dependencyAgent();
  return shared;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

interface NetError extends Error {
  code?: string;
}

/**
 * HTTP client for one dependency, configured the way a careful team would: a per-attempt timeout, one retry
 * with 50-150 ms jitter for idempotent GETs (connect errors, timeouts, 502/503/504) and for any method only
 * when the connection was never made; a timed-out POST (e.g. a payment) is never repeated. Every attempt is a
 * CLIENT span carrying traceparent and a sample in the http_client_* metrics. A failed attempt is logged at
 * warn, and a call that got through only on a later attempt at info, so a transient blip leaves the same
 * trail in the logs as it would in any service with retries.
 */
export class DependencyClient {
  private readonly random: () => number;

  constructor(private readonly opts: DependencyClientOptions) {
    this.random = opts.random ?? Math.random;
  }

  get dependency(): string {
    return this.opts.dependency;
  }

  /** The configured base URL, or `http://<address>` while the `upstream` setting points this dependency elsewhere. */
  get baseUrl(): string {
    const up = this.opts.settings?.current.upstream;
    return up && up.dependency === this.opts.dependency ? `http://${up.address}` : this.opts.baseUrl;
  }

  /**
   * GET returning the JSON body; 4xx becomes HttpError (same status), passed on as the dependency's answer,
   * except a missing endpoint (see `missingEndpoint`); anything else DependencyError.
   */
  async get<T>(path: string, route: string): Promise<T> {
    return this.expectOk<T>(await this.call('GET', path, route), route);
  }

  async post<T>(path: string, route: string, body: unknown): Promise<T> {
    return this.expectOk<T>(await this.call('POST', path, route, body), route);
  }

  async delete(path: string, route: string): Promise<void> {
    this.expectOk(await this.call('DELETE', path, route), route);
  }

  /** Liveness of the dependency for /readyz: untraced, unmetered, one short attempt. */
  async probe(): Promise<void> {
    const url = new URL('/healthz', this.baseUrl);
    const res = await this.send('GET', url, {}, undefined, PROBE_TIMEOUT_MS);
    if (res.status !== 200)
      throw Object.assign(new Error(`healthz answered ${res.status}`), { code: `HTTP_${res.status}` });
  }

  /** One logical call with retries; returns any HTTP response, throws DependencyError when none arrived. */
  async call(
    method: string,
    path: string,
    route: string,
    body?: unknown,
    extraHeaders: Readonly<Record<string, string>> = {},
  ): Promise<CallResult> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const started = performance.now();
    for (let attempt = 0; ; attempt++) {
      const outcome = await this.attempt(method, path, route, payload, attempt, extraHeaders);
      const lastAttempt = attempt >= this.opts.retries;
      if ('status' in outcome) {
        if (!lastAttempt && method === 'GET' && RETRYABLE_STATUS.has(outcome.status)) {
          this.opts.logger.warn(
            {
              dependency: this.opts.dependency,
              err_code: `HTTP_${outcome.status}`,
              upstream_status: outcome.status,
              attempt: attempt + 1,
              url: new URL(path, this.baseUrl).toString(),
              retrying: true,
            },
            `${this.opts.dependency} call failed: answered ${outcome.status}, retrying`,
          );
          await sleep(50 + this.random() * 100);
          continue;
        }
        if (attempt > 0 && outcome.status < 400) {
          const attempts = attempt + 1;
          this.opts.logger.info(
            {
              dependency: this.opts.dependency,
              attempts,
              duration_ms: Math.round((performance.now() - started) * 10) / 10,
            },
            `${this.opts.dependency} call succeeded after ${attempts} attempts`,
          );
        }
        return outcome;
      }
      const code = outcome.error.code ?? 'EUNKNOWN';
      const retry =
        !lastAttempt &&
        (CONNECT_ERRORS.has(code) || (method === 'GET' && (code === 'ETIMEDOUT' || code === 'ECONNRESET')));
      this.opts.logger.warn(
        {
          dependency: this.opts.dependency,
          err_code: code,
          attempt: attempt + 1,
          url: outcome.url,
          retrying: retry,
        },
        `${this.opts.dependency} call failed: ${outcome.error.message}${retry ? ', retrying' : ''}`,
      );
      if (!retry) throw new DependencyError(this.opts.dependency, code, outcome.error.message);
      await sleep(50 + this.random() * 100);
    }
  }

  private expectOk<T>(res: CallResult, route: string): T {
    if (res.status < 400) return res.body as T;
    const message = errorMessage(res.body) ?? `answered ${res.status}`;
    if (res.status < 500 && !missingEndpoint(res.status, route)) throw new HttpError(res.status, message);
    throw new DependencyError(
      this.opts.dependency,
      `HTTP_${res.status}`,
      `answered ${res.status}: ${message}`,
      res.status,
    );
  }

  private async attempt(
    method: string,
    path: string,
    route: string,
    payload: string | undefined,
    attempt: number,
    extraHeaders: Readonly<Record<string, string>>,
  ): Promise<CallResult | { error: NetError; url: string }> {
    const url = new URL(path, this.baseUrl);
    const span = this.opts.tracer.startSpan(`${method} ${route}`, {
      kind: SpanKind.CLIENT,
      attributes: {
        [ATTR_HTTP_REQUEST_METHOD]: method,
        [ATTR_SERVER_ADDRESS]: url.hostname,
        [ATTR_SERVER_PORT]: Number(url.port || 80),
        [ATTR_URL_FULL]: url.toString(),
        [ATTR_PEER_SERVICE]: this.opts.dependency,
        ...(attempt > 0 ? { [ATTR_HTTP_REQUEST_RESEND_COUNT]: attempt } : {}),
      },
    });
    const headers: OutgoingHttpHeaders = { accept: 'application/json', ...extraHeaders };
    propagation.inject(trace.setSpan(context.active(), span), headers);
    const started = process.hrtime.bigint();
    let status: string;
    try {
      const res = await this.send(method, url, headers, payload, this.opts.timeoutMs);
      status = String(res.status);
      span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, res.status);
      if (res.status >= 500 || missingEndpoint(res.status, route))
        span.setStatus({ code: SpanStatusCode.ERROR, message: `HTTP ${res.status}` });
      return res;
    } catch (err) {
      const e = err as NetError;
      status = 'error';
      span.setAttribute(ATTR_ERROR_TYPE, e.code ?? e.name);
      span.setStatus({ code: SpanStatusCode.ERROR, message: e.message });
      return { error: e, url: url.toString() };
    } finally {
      const labels = { service: this.opts.service, dependency: this.opts.dependency, status: status! };
      this.opts.metrics.clientRequests.inc(labels);
      this.opts.metrics.clientDuration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
      span.end();
    }
  }

  private send(
    method: string,
    url: URL,
    headers: OutgoingHttpHeaders,
    payload: string | undefined,
    timeoutMs: number,
  ): Promise<CallResult> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const finish = (fn: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        fn();
      };
      const h = { ...headers };
      if (payload !== undefined) {
        h['content-type'] = 'application/json';
        h['content-length'] = Buffer.byteLength(payload);
      }
      const req = httpRequest(url, { method, headers: h, agent: this.opts.agent ?? sharedAgent() }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (e) => finish(() => reject(e)));
        res.on('end', () =>
          finish(() => {
            const text = Buffer.concat(chunks).toString('utf8');
            let body: unknown = undefined;
            if (text !== '') {
              try {
                body = JSON.parse(text);
              } catch {
                body = text;
              }
            }
            resolve({ status: res.statusCode ?? 0, body });
          }),
        );
      });
      const timer = setTimeout(() => {
        const e: NetError = new Error(`timed out after ${timeoutMs}ms waiting for ${url.host}`);
        e.code = 'ETIMEDOUT';
        finish(() => reject(e));
        req.destroy(e);
      }, timeoutMs);
      req.on('error', (e) => finish(() => reject(e)));
      req.end(payload);
    });
  }
}

/**
 * A 404 on a route that names no resource (`/convert`, `/charge`, not `/products/:id`) cannot mean "no such
 * item": the endpoint itself is missing, so this client is talking to the wrong service or version. Typed
 * clients treat such an undeclared answer as a failure of the call, not as the dependency's answer.
 */
export function missingEndpoint(status: number, route: string): boolean {
  return status === 404 && !route.includes('/:');
}

function errorMessage(body: unknown): string | undefined {
  if (body && typeof body === 'object' && typeof (body as { error?: unknown }).error === 'string') {
    return (body as { error: string }).error;
  }
  return typeof body === 'string' && body.length < 200 ? body : undefined;
}
