import { SpanKind, SpanStatusCode, context, trace, type Span, type Tracer } from '@opentelemetry/api';
import {
  ATTR_DB_COLLECTION_NAME,
  ATTR_DB_NAMESPACE,
  ATTR_DB_OPERATION_NAME,
  ATTR_DB_QUERY_TEXT,
  ATTR_DB_RESPONSE_STATUS_CODE,
  ATTR_DB_SYSTEM_NAME,
  ATTR_ERROR_TYPE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
} from '@opentelemetry/semantic-conventions';
// db.system is deprecated for db.system.name and peer.service for server.service.name, but firedrill's
// topology and Jaeger's dependency graph read the older keys (as redis-client.ts explains).
import {
  ATTR_DB_SYSTEM,
  ATTR_PEER_SERVICE,
  DB_SYSTEM_NAME_VALUE_POSTGRESQL,
  DB_SYSTEM_VALUE_POSTGRESQL,
} from '@opentelemetry/semantic-conventions/incubating';
import pg from 'pg';
import { Gauge, type Counter, type Histogram } from 'prom-client';
import type { Logger } from 'pino';
import type { DbConfig } from './config.js';
import type { ClientContext } from './redis-client.js';
import { DependencyError } from './dependency-error.js';
import type { ShopMetrics } from './metrics.js';
import type { RuntimeSettings } from './settings.js';
import { postgresCode } from './postgres-errors.js';
import { socketFrom } from './postgres-socket.js';

/** What a statement does to which table: the span's name and the metrics' labels ("SELECT stock"). */
export interface DbOperation {
  name: 'SELECT' | 'INSERT' | 'UPDATE' | 'DELETE' | 'BEGIN' | 'COMMIT' | 'ROLLBACK' | 'DDL';
  collection?: string;
}

/** Statements inside one transaction, on one pooled connection. */
export interface DbTransaction {
  query<R extends pg.QueryResultRow>(op: DbOperation, text: string, params?: unknown[]): Promise<R[]>;
}

export interface InstrumentedPostgresOptions {
  service: string;
  db: DbConfig;
  tracer: Tracer;
  metrics: ShopMetrics;
  logger: Logger;
  /** Runtime settings (`audit`); jobs have none. */
  settings?: { readonly current: RuntimeSettings };
}

const LOG_REPEAT_MS = 10_000;

/**
 * `pg`'s bounded Pool behind two entry points, `query` and `transaction`. Each statement is a CLIENT span
 * following the OpenTelemetry database conventions (parameterised text only, never values) and each wait for
 * a pooled connection a `pg-pool.connect` span, as the pg instrumentation names it, so an exhausted pool shows
 * as time spent before the query rather than in it. Pool state is exported as gauges after the semantic
 * conventions' `db.client.connection.*` metrics; statements slower than `slowQueryMs` are logged at warn.
 * Failures become DependencyError with PostgreSQL's condition name (too_many_connections, query_canceled…)
 * or the socket's code, which is what an operator searches the server log for.
 */
export class InstrumentedPostgres {
  readonly pool: pg.Pool;
  private readonly operations: Counter<'service' | 'operation' | 'collection' | 'outcome'>;
  private readonly duration: Histogram<'service' | 'operation' | 'collection'>;
  private readonly waitTime: Histogram<'service'>;
  private readonly timeouts: Counter<'service'>;
  private lastLogged: { code: string; at: number } | undefined;

  constructor(private readonly opts: InstrumentedPostgresOptions) {
    const { db } = opts;
    this.pool = new pg.Pool({
      host: db.host,
      port: db.port,
      user: db.user,
      password: db.password,
      database: db.database,
      max: db.poolMax,
      connectionTimeoutMillis: db.acquireTimeoutMs,
      idleTimeoutMillis: db.idleTimeoutMs,
      ...(db.statementTimeoutMs > 0 ? { statement_timeout: db.statementTimeoutMs } : {}),
      // pg_stat_activity and the server log then say which service holds a connection
      application_name: opts.service,
      // LISTEN_HOST: on the local substrate, dial from the pod's own address (see postgres-socket.ts).
      ...(process.env.LISTEN_HOST ? { stream: socketFrom(process.env.LISTEN_HOST) } : {}),
    });
    // An idle pooled connection the server dropped (restart, pg_terminate_backend) must not kill the process.
    this.pool.on('error', (err) => this.logConnectionError(err));

    const { metrics, service } = opts;
    const registers = [metrics.registry];
    this.operations = metrics.counter(
      'db_client_operations_total',
      'Statements sent to PostgreSQL, by outcome ("ok" or the error condition).',
      ['service', 'operation', 'collection', 'outcome'],
    );
    this.duration = metrics.histogram(
      'db_client_operation_duration_seconds',
      'Statement round-trip time, excluding the wait for a pooled connection.',
      ['service', 'operation', 'collection'],
    );
    this.waitTime = metrics.histogram(
      'db_client_connection_wait_time_seconds',
      'Time spent waiting for a connection from the pool.',
      ['service'],
    );
    this.timeouts = metrics.counter(
      'db_client_connection_timeouts_total',
      'Queries that gave up waiting for a pooled connection (acquireTimeoutMs).',
      ['service'],
    );
    const pool = this.pool;
    new Gauge({
      name: 'db_client_connection_count',
      help: 'Connections the pool holds, by state (used: checked out, idle: ready for reuse).',
      labelNames: ['service', 'state'],
      registers,
      collect() {
        this.set({ service, state: 'used' }, pool.totalCount - pool.idleCount);
        this.set({ service, state: 'idle' }, pool.idleCount);
      },
    });
    new Gauge({
      name: 'db_client_connection_max',
      help: 'Most connections the pool may open (poolMax).',
      labelNames: ['service'],
      registers,
      collect() {
        this.set({ service }, db.poolMax);
      },
    });
    new Gauge({
      name: 'db_client_connection_pending_requests',
      help: 'Queries waiting for a pooled connection.',
      labelNames: ['service'],
      registers,
      collect() {
        this.set({ service }, pool.waitingCount);
      },
    });
  }

  /** One statement on a connection of its own from the pool. */
  async query<R extends pg.QueryResultRow>(op: DbOperation, text: string, params?: unknown[]): Promise<R[]> {
    const client = await this.acquire(op);
    let broken: Error | undefined;
    let rows: R[];
    try {
      rows = await this.run<R>(client, op, text, params);
    } catch (err) {
      broken = connectionBroken(err);
      throw err;
    } finally {
      client.release(broken);
    }
    await this.sampleAudit();
    return rows;
  }

  /** BEGIN … COMMIT on one connection; any error rolls back and is rethrown. */
  async transaction<T>(work: (tx: DbTransaction) => Promise<T>): Promise<T> {
    const client = await this.acquire({ name: 'BEGIN' });
    let committed: T;
    const tx: DbTransaction = { query: (op, text, params) => this.run(client, op, text, params) };
    let broken: Error | undefined;
    try {
      await this.run(client, { name: 'BEGIN' }, 'BEGIN');
      const result = await work(tx);
      await this.run(client, { name: 'COMMIT' }, 'COMMIT');
      committed = result;
    } catch (err) {
      broken = connectionBroken(err);
      if (!broken) await this.run(client, { name: 'ROLLBACK' }, 'ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release(broken);
    }
    await this.sampleAudit();
    return committed;
  }

  /**
   * The `audit` setting's sampled record of a committed transaction (a statement is one too), taken on a
   * connection of its own so it can never join the caller's transaction. That connection is never released:
   * the shop's deliberate defect, a leak that drains the pool at the sampled rate once the setting is on
   * (fault type db-pool-exhaustion). Nothing logs it; only the pool's gauges and wait spans show it.
   */
  private async sampleAudit(): Promise<void> {
    const fraction = this.opts.settings?.current.audit?.fraction ?? 0;
    if (fraction <= 0 || Math.random() >= fraction) return;
    const client = await this.acquire({ name: 'SELECT' });
    // out of the pool's hands, a dropped connection's error event would otherwise end the process
    client.on('error', () => undefined);
    await this.run(client, { name: 'SELECT' }, 'SELECT pg_backend_pid(), now()');
  }

  /** For /readyz: one statement outside tracing and metrics. */
  async ping(text = 'SELECT 1'): Promise<void> {
    try {
      await this.pool.query(text);
    } catch (err) {
      throw this.toDependencyError('ping', err);
    }
  }

  async close(): Promise<void> {
    await Promise.race([this.pool.end(), new Promise((r) => setTimeout(r, 1000).unref())]).catch(
      () => undefined,
    );
  }

  /** A pooled connection; a statement that never got one is counted under `op` with the failure. */
  private async acquire(op: DbOperation): Promise<pg.PoolClient> {
    const { tracer, service, db } = this.opts;
    const span = tracer.startSpan('pg-pool.connect', {
      kind: SpanKind.CLIENT,
      attributes: this.commonAttributes(),
    });
    const started = performance.now();
    try {
      return await this.pool.connect();
    } catch (err) {
      const timedOut = /timeout exceeded when trying to connect/i.test((err as Error).message);
      const dep = timedOut
        ? new DependencyError(
            'postgres',
            'POOL_TIMEOUT',
            `no connection from the pool within ${db.acquireTimeoutMs} ms (${this.pool.totalCount}/${db.poolMax} in use, ${this.pool.waitingCount} waiting)`,
          )
        : this.toDependencyError('connect', err);
      if (timedOut) this.timeouts.inc({ service });
      else this.logConnectionError(err);
      this.operations.inc({
        service,
        operation: op.name,
        collection: op.collection ?? '',
        outcome: dep.code,
      });
      failSpan(span, dep);
      throw dep;
    } finally {
      this.waitTime.observe({ service }, (performance.now() - started) / 1000);
      span.end();
    }
  }

  private async run<R extends pg.QueryResultRow>(
    client: pg.PoolClient,
    op: DbOperation,
    text: string,
    params?: unknown[],
  ): Promise<R[]> {
    const { tracer, service, logger, db } = this.opts;
    const summary = op.collection ? `${op.name} ${op.collection}` : op.name;
    const span = tracer.startSpan(summary, {
      kind: SpanKind.CLIENT,
      attributes: {
        ...this.commonAttributes(),
        [ATTR_DB_OPERATION_NAME]: op.name,
        ...(op.collection ? { [ATTR_DB_COLLECTION_NAME]: op.collection } : {}),
        [ATTR_DB_QUERY_TEXT]: text,
      },
    });
    const labels = { service, operation: op.name, collection: op.collection ?? '' };
    const started = performance.now();
    let outcome = 'ok';
    try {
      const result = await context.with(trace.setSpan(context.active(), span), () =>
        client.query<R>(text, params),
      );
      return result.rows;
    } catch (err) {
      const dep = this.toDependencyError(summary, err);
      outcome = dep.code;
      const sqlstate = (err as { code?: unknown }).code;
      if (typeof sqlstate === 'string' && /^[0-9A-Z]{5}$/.test(sqlstate))
        span.setAttribute(ATTR_DB_RESPONSE_STATUS_CODE, sqlstate);
      failSpan(span, dep);
      throw dep;
    } finally {
      const ms = performance.now() - started;
      this.operations.inc({ ...labels, outcome });
      this.duration.observe(labels, ms / 1000);
      span.end();
      if (ms >= db.slowQueryMs)
        logger.warn(
          { dependency: 'postgres', query: summary, duration_ms: Math.round(ms) },
          `slow query: ${summary} took ${Math.round(ms)} ms`,
        );
    }
  }

  private commonAttributes(): Record<string, string | number> {
    const { db } = this.opts;
    return {
      [ATTR_DB_SYSTEM]: DB_SYSTEM_VALUE_POSTGRESQL,
      [ATTR_DB_SYSTEM_NAME]: DB_SYSTEM_NAME_VALUE_POSTGRESQL,
      [ATTR_DB_NAMESPACE]: db.database,
      [ATTR_SERVER_ADDRESS]: db.host,
      [ATTR_SERVER_PORT]: db.port,
      [ATTR_PEER_SERVICE]: 'postgres',
    };
  }

  private toDependencyError(what: string, err: unknown): DependencyError {
    const e = err instanceof Error ? err : new Error(String(err));
    return new DependencyError('postgres', postgresCode(e), `${what} failed: ${e.message}`);
  }

  private logConnectionError(err: unknown): void {
    const e = err instanceof Error ? err : new Error(String(err));
    const code = postgresCode(e);
    const now = Date.now();
    if (this.lastLogged?.code === code && now - this.lastLogged.at < LOG_REPEAT_MS) return;
    this.lastLogged = { code, at: now };
    const { db, logger } = this.opts;
    logger.warn(
      { dependency: 'postgres', err_code: code, address: `${db.host}:${db.port}` },
      `postgres connection error: ${e.message}`,
    );
  }
}

function failSpan(span: Span, err: DependencyError): void {
  span.setAttribute(ATTR_ERROR_TYPE, err.code);
  span.setStatus({ code: SpanStatusCode.ERROR, message: err.message });
}

/** A connection that failed underneath a statement must not go back to the pool. */
function connectionBroken(err: unknown): Error | undefined {
  if (!(err instanceof DependencyError)) return err instanceof Error ? err : new Error(String(err));
  return /^E[A-Z]+$/.test(err.code) || err.code === 'admin_shutdown' ? err : undefined;
}

/** The shop's PostgreSQL as a service or job reaches it: PG* / the `db` key, unless `db` overrides them. */
export function shopPostgres(ctx: ClientContext, db: DbConfig = ctx.config.db): InstrumentedPostgres {
  return new InstrumentedPostgres({
    service: ctx.config.service,
    db,
    tracer: ctx.tracer,
    metrics: ctx.metrics,
    logger: ctx.logger,
    settings: ctx.settings,
  });
}
