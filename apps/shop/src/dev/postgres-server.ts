import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChildProcessGroup } from './child-process-group.js';
import { freePorts } from './free-port.js';
import { waitForPort } from './wait-for-port.js';
import pg from 'pg';

export interface PostgresServerOptions {
  /** The repository root: the server is started by its images/postgres/entrypoint.sh. */
  repoRoot: string;
  /** Defaults to a free loopback port. */
  port?: number;
  /** Defaults to a random one. */
  password?: string;
  /** Parent of the cluster's directory; defaults to a temporary one, removed by stop(). */
  dir?: string;
}

export interface PostgresServer {
  port: number;
  /** Role and database `shop`, as in the manifests. */
  user: string;
  database: string;
  password: string;
  process: ChildProcessGroup;
  stop(): Promise<void>;
}

/** Resolves once a session can log in and run `SELECT 1`; throws at `deadline` with the last error. */
async function waitForQueries(
  conn: { port: number; user: string; database: string; password: string },
  deadline: number,
): Promise<void> {
  for (;;) {
    const client = new pg.Client({ host: '127.0.0.1', ...conn, connectionTimeoutMillis: 2000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('SELECT 1');
      return;
    } catch (err) {
      if (Date.now() > deadline)
        throw new Error(`PostgreSQL on 127.0.0.1:${conn.port} answers no query: ${(err as Error).message}`);
    } finally {
      await client.end().catch(() => undefined);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** First start runs initdb and makes the role: seconds on a slow machine. */
const START_TIMEOUT_MS = 60_000;

/**
 * A fresh PostgreSQL on 127.0.0.1 started by the same entrypoint the postgres image and the local substrate
 * run (initdb, the non-superuser role `shop` owning database `shop`, then the server in the foreground),
 * with the manifest's logging settings: the shop's database in launchShop() and in tests that need one.
 */
export async function startPostgresServer(opts: PostgresServerOptions): Promise<PostgresServer> {
  const port = opts.port ?? (await freePorts(1))[0];
  const password = opts.password ?? `pw-${Math.random().toString(36).slice(2)}`;
  const ownDir = opts.dir === undefined;
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'postgres-'));
  // run as root the entrypoint hands the cluster to the `postgres` user, who must be able to reach it
  chmodSync(dir, 0o755);
  const proc = new ChildProcessGroup({
    name: 'postgres',
    command: join(opts.repoRoot, 'images/postgres/entrypoint.sh'),
    args: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-p',
      String(port),
      '-k',
      join(dir, 'pgsock'),
      '-c',
      'max_connections=50',
      '-c',
      'shared_buffers=32MB',
      '-c',
      'log_min_duration_statement=250',
    ],
    env: {
      PATH: process.env.PATH,
      POSTGRES_USER: 'shop',
      POSTGRES_DB: 'shop',
      POSTGRES_PASSWORD: password,
      PGDATA: join(dir, 'pgdata'),
    },
  });
  const stop = async () => {
    await proc.stop();
    if (ownDir) rmSync(dir, { recursive: true, force: true });
  };
  try {
    const deadline = Date.now() + START_TIMEOUT_MS;
    await waitForPort(port, START_TIMEOUT_MS);
    // A port that accepts is not a server that answers: PostgreSQL accepts while it still starts up
    // (57P03), and the entrypoint's first server runs only to make the role, then restarts.
    await waitForQueries({ port, user: 'shop', database: 'shop', password }, deadline);
  } catch (err) {
    await stop();
    const tail = [...proc.stdout.slice(-3), ...proc.stderr.slice(-3)].join(' | ');
    throw new Error(`${(err as Error).message}${tail ? `: ${tail}` : ''}`);
  }
  return { port, user: 'shop', database: 'shop', password, process: proc, stop };
}
