import { EventEmitter } from 'node:events';
import type pg from 'pg';
import { PgPostgresAdmin, type PgClient, type PostgresEndpoint } from './pg-postgres-admin.js';

/** A pg.Client stand-in: `roles` may log in; every connection and statement is recorded. */
function fakeServer(roles: string[]): {
  client: (config: pg.ClientConfig) => PgClient;
  log: string[];
} {
  const log: string[] = [];
  return {
    log,
    client: (config) => ({
      connect: async () => {
        log.push(
          `connect ${config.user ?? ''}@${config.host ?? ''}:${config.port ?? 0}/${config.database ?? ''}`,
        );
        if (!roles.includes(config.user ?? '')) {
          throw Object.assign(new Error(`password authentication failed for user "${config.user ?? ''}"`), {
            code: '28P01',
          });
        }
      },
      query: async (sql, params) => {
        log.push(`query ${sql} ${JSON.stringify(params ?? [])}`);
        return { rows: [{ answer: 1 }] };
      },
      end: async () => {
        log.push('end');
      },
    }),
  };
}

const endpoint = async (): Promise<PostgresEndpoint> => ({
  host: '127.0.0.9',
  port: 5432,
  password: 'pw',
  database: 'shop',
  users: ['postgres', 'shop'],
});

describe('PgPostgresAdmin', () => {
  it('runs each statement on a connection of its own as the superuser, in the app database', async () => {
    const server = fakeServer(['postgres', 'shop']);
    const admin = new PgPostgresAdmin(endpoint, { client: server.client });
    expect(await admin.query('SELECT $1::int AS answer', [1])).toEqual([{ answer: 1 }]);
    await admin.query('SELECT 1', undefined, { database: 'postgres' });
    expect(server.log).toEqual([
      'connect postgres@127.0.0.9:5432/shop',
      'query SELECT $1::int AS answer [1]',
      'end',
      'connect postgres@127.0.0.9:5432/postgres',
      'query SELECT 1 []',
      'end',
    ]);
  });

  it("falls back to the app's role where it is the superuser (Docker Hub's image), then starts with it", async () => {
    const server = fakeServer(['shop']);
    const admin = new PgPostgresAdmin(endpoint, { client: server.client });
    await admin.query('SELECT 1');
    await admin.query('SELECT 2');
    expect(server.log.filter((l) => l.startsWith('connect'))).toEqual([
      'connect postgres@127.0.0.9:5432/shop',
      'connect shop@127.0.0.9:5432/shop',
      'connect shop@127.0.0.9:5432/shop',
    ]);
  });

  it('reports the first refusal when no role gets in, and any other error at once', async () => {
    const admin = new PgPostgresAdmin(endpoint, { client: fakeServer([]).client });
    await expect(admin.query('SELECT 1')).rejects.toThrow(
      'password authentication failed for user "postgres"',
    );

    const log: string[] = [];
    const refusing = new PgPostgresAdmin(endpoint, {
      client: () => ({
        connect: async () => {
          log.push('connect');
          throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.9:5432'), { code: 'ECONNREFUSED' });
        },
        query: async () => ({ rows: [] }),
        end: async () => undefined,
      }),
    });
    await expect(refusing.query('SELECT 1')).rejects.toThrow('ECONNREFUSED');
    expect(log).toEqual(['connect']);
  });

  it('listens for the error a session ended by the server emits, so it cannot take the process down', async () => {
    class EndedByServer extends EventEmitter implements PgClient {
      async connect(): Promise<void> {}
      async query(): Promise<{ rows: [] }> {
        // What pg.Client does when pg_terminate_backend ends the session and the socket closes before end().
        this.emit('error', new Error('Connection terminated unexpectedly'));
        throw Object.assign(new Error('terminating connection due to administrator command'), {
          code: '57P01',
        });
      }
      async end(): Promise<void> {}
    }
    const admin = new PgPostgresAdmin(endpoint, { client: () => new EndedByServer() });
    await expect(admin.query('SELECT pg_sleep(60)')).rejects.toThrow(
      'terminating connection due to administrator command',
    );
  });
});
