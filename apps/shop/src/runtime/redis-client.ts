import { SpanKind, SpanStatusCode, context, trace, type Span, type Tracer } from '@opentelemetry/api';
import { Redis } from 'ioredis';
import { connectorFrom } from './redis-connector.js';
import type { Counter, Histogram } from 'prom-client';
import type { Logger } from 'pino';
import {
  ATTR_DB_NAMESPACE,
  ATTR_DB_OPERATION_NAME,
  ATTR_DB_SYSTEM_NAME,
  ATTR_ERROR_TYPE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
} from '@opentelemetry/semantic-conventions';
// No stable constants for these. db.system is deprecated for db.system.name and peer.service for
// server.service.name, but firedrill's topology and Jaeger's dependency graph read the older keys, so the
// shop sends both generations.
import {
  ATTR_DB_SYSTEM,
  ATTR_PEER_SERVICE,
  DB_SYSTEM_NAME_VALUE_REDIS,
  DB_SYSTEM_VALUE_REDIS,
} from '@opentelemetry/semantic-conventions/incubating';
import { DependencyError } from './dependency-error.js';
import type { ShopConfig } from './config.js';
import type { ShopMetrics } from './metrics.js';
import type { RuntimeSettings } from './settings.js';

export interface RedisEndpoint {
  host: string;
  port: number;
  password?: string;
  db: number;
}

export interface InstrumentedRedisOptions {
  service: string;
  endpoint: RedisEndpoint;
  commandTimeoutMs: number;
  retries: number;
  tracer: Tracer;
  metrics: ShopMetrics;
  logger: Logger;
}

const LOG_REPEAT_MS = 10_000;

export interface CommandOptions {
  /**
   * Make a span only inside an active one (as the OpenTelemetry ioredis instrumentation's `requireParentSpan`):
   * for polling and housekeeping commands, which would otherwise each start a one-span trace. Metrics as usual.
   */
  requireParent?: boolean;
}

/**
 * ioredis behind one `command()` entry point: a CLIENT span (db.system=redis) and redis_* metrics per command,
 * failures turned into DependencyError with the code an operator recognises (ECONNREFUSED, WRONGPASS, ETIMEDOUT…).
 * The endpoint can be swapped at run time (the `upstream` setting) without restarting.
 */
export class InstrumentedRedis {
  private client: Redis;
  private endpoint: RedisEndpoint;
  private lastConnError: { code: string; message: string } | undefined;
  private lastLogged: { code: string; at: number } | undefined;
  private readonly commands: Counter<'service' | 'command' | 'status'>;
  private readonly duration: Histogram<'service' | 'command'>;
  /** Connections made by duplicate(): they follow setAddress and are closed with this one. */
  private readonly duplicates = new Set<InstrumentedRedis>();
  private parent: InstrumentedRedis | undefined;

  constructor(private readonly opts: InstrumentedRedisOptions) {
    this.endpoint = opts.endpoint;
    this.commands = opts.metrics.counter('redis_commands_total', 'Redis commands sent, by outcome.', [
      'service',
      'command',
      'status',
    ]);
    this.duration = opts.metrics.histogram(
      'redis_command_duration_seconds',
      'Redis command round-trip time.',
      ['service', 'command'],
    );
    this.client = this.connect(this.endpoint);
  }

  get address(): string {
    return `${this.endpoint.host}:${this.endpoint.port}`;
  }

  /** Points the client at another host:port (or back); the old connection is dropped. */
  setAddress(host: string, port: number): void {
    if (host === this.endpoint.host && port === this.endpoint.port) return;
    const old = this.client;
    this.endpoint = { ...this.endpoint, host, port };
    this.lastConnError = undefined;
    this.client = this.connect(this.endpoint);
    old.disconnect();
    for (const d of this.duplicates) d.setAddress(host, port);
  }

  /**
   * A second connection to the same endpoint with the same spans and metrics, for blocking reads
   * (`XREADGROUP … BLOCK`): a blocked command holds its connection, so on the shared one it would stall every
   * command queued behind it. Its command timeout is longer by `extraTimeoutMs` (the longest BLOCK it will
   * send). It follows this client's setAddress, and close() of either closes it.
   */
  duplicate(extraTimeoutMs = 0): InstrumentedRedis {
    const d = new InstrumentedRedis({
      ...this.opts,
      endpoint: this.endpoint,
      commandTimeoutMs: this.opts.commandTimeoutMs + extraTimeoutMs,
    });
    d.parent = this;
    this.duplicates.add(d);
    return d;
  }

  async command<T>(name: string, run: (r: Redis) => Promise<T>, options: CommandOptions = {}): Promise<T> {
    if (options.requireParent && trace.getSpan(context.active()) === undefined)
      return this.measured(name, run, undefined);
    const span = this.opts.tracer.startSpan(name, {
      kind: SpanKind.CLIENT,
      attributes: {
        [ATTR_DB_SYSTEM]: DB_SYSTEM_VALUE_REDIS,
        [ATTR_DB_SYSTEM_NAME]: DB_SYSTEM_NAME_VALUE_REDIS,
        [ATTR_DB_OPERATION_NAME]: name,
        [ATTR_DB_NAMESPACE]: String(this.endpoint.db),
        [ATTR_SERVER_ADDRESS]: this.endpoint.host,
        [ATTR_SERVER_PORT]: this.endpoint.port,
        [ATTR_PEER_SERVICE]: 'redis',
      },
    });
    return this.measured(name, run, span);
  }

  private async measured<T>(name: string, run: (r: Redis) => Promise<T>, span: Span | undefined): Promise<T> {
    const started = process.hrtime.bigint();
    let status = 'ok';
    try {
      return await run(this.client);
    } catch (err) {
      status = 'error';
      const dep = this.toDependencyError(name, err);
      span?.setAttribute(ATTR_ERROR_TYPE, dep.code);
      span?.setStatus({ code: SpanStatusCode.ERROR, message: dep.message });
      throw dep;
    } finally {
      this.commands.inc({ service: this.opts.service, command: name, status });
      this.duration.observe(
        { service: this.opts.service, command: name },
        Number(process.hrtime.bigint() - started) / 1e9,
      );
      span?.end();
    }
  }

  /** PING for /readyz, outside tracing and metrics. */
  async ping(): Promise<void> {
    try {
      await this.client.ping();
    } catch (err) {
      throw this.toDependencyError('PING', err);
    }
  }

  async close(): Promise<void> {
    this.parent?.duplicates.delete(this);
    await Promise.all([...this.duplicates].map((d) => d.close()));
    // Closed already: another disconnect() would leave ioredis's 2 s stream-destroy timer running.
    if (this.client.status === 'end') return;
    try {
      await Promise.race([this.client.quit(), new Promise((r) => setTimeout(r, 500).unref())]);
    } catch {
      // already gone
    }
    this.client.disconnect();
  }

  private connect(ep: RedisEndpoint): Redis {
    const client = new Redis({
      host: ep.host,
      port: ep.port,
      password: ep.password,
      db: ep.db,
      connectTimeout: this.opts.commandTimeoutMs,
      commandTimeout: this.opts.commandTimeoutMs,
      maxRetriesPerRequest: this.opts.retries,
      retryStrategy: (times) => Math.min(times * 200, 2000),
      // How long disconnect() lets the socket end before destroying it (default 2 s). ioredis arms this timer
      // even for a socket that is already gone (closing while Redis is unreachable), holding the event loop.
      disconnectTimeout: 500,
      // LISTEN_HOST: on the local substrate, dial from the pod's own address (see redis-connector.ts).
      ...(process.env.LISTEN_HOST ? { Connector: connectorFrom(process.env.LISTEN_HOST) } : {}),
    });
    client.on('error', (err: Error & { code?: string }) => {
      if (client !== this.client) return;
      const code = redisCode(err) ?? 'EREDIS';
      this.lastConnError = { code, message: err.message };
      const now = Date.now();
      if (this.lastLogged?.code === code && now - this.lastLogged.at < LOG_REPEAT_MS) return;
      this.lastLogged = { code, at: now };
      this.opts.logger.warn(
        { dependency: 'redis', err_code: code, address: `${ep.host}:${ep.port}` },
        `redis connection error: ${err.message}`,
      );
    });
    client.on('ready', () => {
      if (client !== this.client) return;
      if (this.lastConnError)
        this.opts.logger.info({ dependency: 'redis' }, `redis connection restored to ${ep.host}:${ep.port}`);
      this.lastConnError = undefined;
      this.lastLogged = undefined;
    });
    return client;
  }

  private toDependencyError(command: string, err: unknown): DependencyError {
    const e = err as Error & { code?: string };
    const own = redisCode(e);
    if (own) return new DependencyError('redis', own, `${command} failed: ${e.message}`);
    // ioredis reports queued commands as "max retries" / "Command timed out": the connection error is the story.
    const conn = this.lastConnError;
    if (conn) return new DependencyError('redis', conn.code, `${command} failed: ${conn.message}`);
    const code = /timed out/i.test(e.message) ? 'ETIMEDOUT' : 'EREDIS';
    return new DependencyError('redis', code, `${command} failed: ${e.message}`);
  }
}

function redisCode(err: Error & { code?: string }): string | undefined {
  if (err.code && /^E[A-Z]+$/.test(err.code)) return err.code;
  const m = /^(WRONGPASS|NOAUTH|OOM|READONLY|LOADING|MISCONF|NOPERM|WRONGTYPE)\b/.exec(err.message);
  return m?.[1];
}

/** What a service or job has that its store clients are made from (ServiceContext and JobContext both do). */
export interface ClientContext {
  config: ShopConfig;
  tracer: Tracer;
  metrics: ShopMetrics;
  logger: Logger;
  /** A service's runtime settings; jobs have none. */
  settings?: { readonly current: RuntimeSettings };
}

/** The shop's Redis as every service and job reaches it: REDIS_* / the `redis` key, Redis timeouts and retries. */
export function shopRedis(ctx: ClientContext): InstrumentedRedis {
  const { config } = ctx;
  return new InstrumentedRedis({
    service: config.service,
    endpoint: config.cart.redis,
    commandTimeoutMs: config.timeoutsMs.redis,
    retries: config.retries.redis,
    tracer: ctx.tracer,
    metrics: ctx.metrics,
    logger: ctx.logger,
  });
}
