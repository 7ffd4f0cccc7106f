import pg from 'pg';
import type { PostgresAdmin, PostgresRow } from '../platform/fault-target.js';

/** Where the shop's PostgreSQL answers and who to be there; resolved afresh for every statement. */
export interface PostgresEndpoint {
  host: string;
  port: number;
  /** The Secret's password (the superuser's and the app role's, images/postgres/entrypoint.sh). */
  password?: string;
  /** The app's database: where a statement runs unless it names another. */
  database: string;
  /**
   * The superuser, and roles to try after it: the postgres image this repository builds has the superuser
   * `postgres`, Docker Hub's makes the app's role (POSTGRES_USER) the superuser and has no `postgres`.
   */
  users: readonly string[];
}

/** The part of pg.Client the admin uses (a seam for tests). */
export interface PgClient {
  connect(): Promise<unknown>;
  query(sql: string, params?: unknown[]): Promise<{ rows: PostgresRow[] }>;
  end(): Promise<void>;
  /**
   * pg.Client emits `error` when the server ends the session (pg_terminate_backend, a shutdown) and its
   * socket closes before `end()` was called; without a listener that would take the process down.
   */
  on?(event: 'error', listener: (err: Error) => void): unknown;
}

export interface PgPostgresAdminOptions {
  /** Connecting (TCP and authentication) may take this long; default 5 s. */
  connectTimeoutMs?: number;
  /** Seam for tests; default a pg.Client. */
  client?: (config: pg.ClientConfig) => PgClient;
}

/** Authentication refused: a wrong password, or (SCRAM hides which) a role that does not exist. */
const AUTH_FAILED = new Set(['28P01', '28000']);

/**
 * PostgresAdmin over node-postgres: each statement on a fresh connection as the superuser (the endpoint is
 * resolved per call, since faults restart pods), closed after it. When the first role is refused the
 * next is tried, so the admin works with either image; the first refusal is reported when all are.
 */
export class PgPostgresAdmin implements PostgresAdmin {
  /** The role that last got in, tried first (no refused attempt in the server's log each time). */
  private lastUser: string | undefined;

  constructor(
    private readonly endpoint: () => Promise<PostgresEndpoint>,
    private readonly opts: PgPostgresAdminOptions = {},
  ) {}

  async query(
    sql: string,
    params?: readonly unknown[],
    opts?: { database?: string },
  ): Promise<PostgresRow[]> {
    const ep = await this.endpoint();
    const make = this.opts.client ?? ((config: pg.ClientConfig): PgClient => new pg.Client(config));
    let refused: unknown;
    const users =
      this.lastUser && ep.users.includes(this.lastUser)
        ? [this.lastUser, ...ep.users.filter((u) => u !== this.lastUser)]
        : ep.users;
    for (const user of users) {
      const client = make({
        host: ep.host,
        port: ep.port,
        user,
        password: ep.password,
        database: opts?.database ?? ep.database,
        connectionTimeoutMillis: this.opts.connectTimeoutMs ?? 5000,
        // What an operator's session shows in pg_stat_activity and the log prefix (%a).
        application_name: 'psql',
      });
      // The failure reaches the pending connect or statement as well; the event itself needs no more.
      client.on?.('error', () => undefined);
      try {
        await client.connect();
      } catch (err) {
        await client.end().catch(() => undefined);
        if (!AUTH_FAILED.has((err as { code?: string }).code ?? '')) throw err;
        refused ??= err;
        continue;
      }
      this.lastUser = user;
      try {
        return (await client.query(sql, params ? [...params] : undefined)).rows;
      } finally {
        await client.end().catch(() => undefined);
      }
    }
    throw refused ?? new Error('no PostgreSQL role to connect as');
  }
}
