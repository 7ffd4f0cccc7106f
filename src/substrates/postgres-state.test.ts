import type { PostgresAdmin, PostgresRow } from '../platform/fault-target.js';
import { postgresStateText, readPostgresState, restorePostgres, settlePostgres } from './postgres-state.js';

interface Session {
  pid: number;
  usename: string;
  state: string;
  /** Seconds in that state (or running its statement). */
  seconds: number;
}

/**
 * A PostgreSQL stand-in answering the admin's statements from an in-memory state; every statement is
 * logged. A fault is staged by changing the fields, as its SQL would.
 */
class FakePostgres implements PostgresAdmin {
  connlimit = -1;
  canLogin = true;
  roleSettings: Array<{ role: string; database: string; setconfig: string[] }> = [];
  autoConf = new Map<string, string>();
  /** Settings from postgresql.conf, and what a reload made of postgresql.auto.conf. */
  readonly baseConfig = new Map([
    ['log_timezone', 'Etc/UTC'],
    ['max_wal_size', '1024'],
  ]);
  effective = new Map(this.baseConfig);
  reloadWorks = true;
  sessions: Session[] = [];
  readonly log: string[] = [];

  async query(sql: string, params?: readonly unknown[]): Promise<PostgresRow[]> {
    const s = sql.replace(/\s+/g, ' ').trim();
    this.log.push(s);
    if (s.includes('FROM pg_roles WHERE rolname')) {
      return params?.[0] === 'shop' ? [{ rolconnlimit: this.connlimit, rolcanlogin: this.canLogin }] : [];
    }
    if (s.includes('FROM pg_db_role_setting')) return this.roleSettings.map((r) => ({ ...r }));
    if (s.includes('FROM pg_file_settings')) {
      return [...this.autoConf].map(([name, setting]) => ({ name, setting }));
    }
    if (s.includes('FROM pg_settings')) {
      return [...this.effective].sort().map(([name, setting]) => ({ name, setting }));
    }
    if (s === 'ALTER ROLE "shop" CONNECTION LIMIT -1 LOGIN') {
      this.connlimit = -1;
      this.canLogin = true;
      return [];
    }
    if (/RESET ALL$/.test(s) && !s.startsWith('ALTER SYSTEM')) {
      this.roleSettings = [];
      return [];
    }
    if (s === 'ALTER SYSTEM RESET ALL') {
      this.autoConf.clear();
      return [];
    }
    if (s === 'SELECT pg_reload_conf()') {
      if (this.reloadWorks) this.effective = new Map([...this.baseConfig, ...this.autoConf]);
      return [{ pg_reload_conf: true }];
    }
    if (s.includes('FROM pg_stat_activity')) {
      const limit = Number(params?.[0]);
      const stuck = this.sessions.filter(
        (x) =>
          x.seconds > limit &&
          ['active', 'idle in transaction', 'idle in transaction (aborted)'].includes(x.state),
      );
      this.sessions = this.sessions.filter((x) => !stuck.includes(x));
      return stuck.map((x) => ({ pid: x.pid, usename: x.usename, state: x.state, ended: true }));
    }
    throw new Error(`unexpected statement: ${s}`);
  }

  /** `ALTER SYSTEM SET name = value; SELECT pg_reload_conf()`, as a fault would. */
  alterSystem(name: string, value: string): void {
    this.autoConf.set(name, value);
    this.effective.set(name, value);
  }
}

const names = { role: 'shop', database: 'shop' };
const changes = (pg: FakePostgres): string[] =>
  pg.log.filter((s) => /^(ALTER|SELECT pg_reload_conf)/.test(s) || s.includes('pg_terminate_backend'));

describe('PostgreSQL state and its restore', () => {
  it('reads the state a fresh cluster has, and leaves it alone', async () => {
    const pg = new FakePostgres();
    const state = await readPostgresState(pg, names);
    expect(state).toEqual({
      appRole: 'connlimit=-1 login',
      roleSettings: [],
      alterSystem: [],
      configFile: ['log_timezone=Etc/UTC', 'max_wal_size=1024'],
    });
    expect(postgresStateText(state)).toBe(
      'role connlimit=-1 login, role settings [], alter system [], config [log_timezone=Etc/UTC max_wal_size=1024]',
    );
    expect(await restorePostgres(pg, names)).toEqual([]);
    // Only the stuck-session sweep, which ends nothing here.
    expect(pg.log.filter((s) => s.startsWith('ALTER'))).toEqual([]);
  });

  it("puts back the role's limits, per-role settings and ALTER SYSTEM entries, and settles on the baseline", async () => {
    const pg = new FakePostgres();
    const baseline = postgresStateText(await readPostgresState(pg, names));
    // What faults do: ALTER ROLE shop CONNECTION LIMIT 2; ALTER ROLE shop SET statement_timeout = '20ms';
    // ALTER SYSTEM SET work_mem = '64kB' with a reload.
    pg.connlimit = 2;
    pg.roleSettings = [{ role: 'shop', database: '*', setconfig: ['statement_timeout=20ms'] }];
    pg.alterSystem('work_mem', '64');
    expect(postgresStateText(await readPostgresState(pg, names))).not.toBe(baseline);

    const settled = await settlePostgres(pg, names, { baseline, sleep: async () => undefined });
    expect(settled.state).toBe(baseline);
    expect(settled.actions).toEqual([
      'ALTER ROLE shop CONNECTION LIMIT -1 LOGIN (was connlimit=2 login)',
      'RESET ALL for role shop and database shop (was shop@*: statement_timeout=20ms)',
      'ALTER SYSTEM RESET ALL and a reload (was work_mem=64)',
    ]);
    expect(changes(pg).filter((s) => !s.includes('pg_terminate_backend'))).toEqual([
      'ALTER ROLE "shop" CONNECTION LIMIT -1 LOGIN',
      'ALTER ROLE "shop" RESET ALL',
      'ALTER ROLE "shop" IN DATABASE "shop" RESET ALL',
      'ALTER DATABASE "shop" RESET ALL',
      'ALTER SYSTEM RESET ALL',
      'SELECT pg_reload_conf()',
    ]);
  });

  it('lets a NOLOGIN app role log in again', async () => {
    const pg = new FakePostgres();
    pg.canLogin = false;
    expect(await restorePostgres(pg, names)).toEqual([
      'ALTER ROLE shop CONNECTION LIMIT -1 LOGIN (was connlimit=-1 nologin)',
    ]);
    expect(pg.canLogin).toBe(true);
  });

  it('ends sessions stuck in a transaction or a statement, and no others', async () => {
    const pg = new FakePostgres();
    pg.sessions = [
      { pid: 101, usename: 'shop', state: 'idle', seconds: 600 },
      { pid: 102, usename: 'shop', state: 'idle in transaction', seconds: 120 },
      { pid: 103, usename: 'shop', state: 'active', seconds: 2 },
      { pid: 104, usename: 'postgres', state: 'active', seconds: 300 },
      { pid: 105, usename: 'shop', state: 'idle in transaction', seconds: 1 },
    ];
    expect(await restorePostgres(pg, names)).toEqual([
      'ended 2 stuck session(s): 102 shop idle in transaction, 104 postgres active',
    ]);
    expect(pg.sessions.map((s) => s.pid)).toEqual([101, 103, 105]);
  });

  it('returns the differing state when it does not settle in time (the caller restarts the pod)', async () => {
    const pg = new FakePostgres();
    const baseline = postgresStateText(await readPostgresState(pg, names));
    pg.alterSystem('work_mem', '64');
    pg.reloadWorks = false;
    let slept = 0;
    const settled = await settlePostgres(pg, names, {
      baseline,
      timeoutMs: 0,
      sleep: async () => {
        slept++;
      },
    });
    expect(settled.state).toContain('work_mem=64');
    expect(settled.state).not.toBe(baseline);
    expect(slept).toBe(0);
  });
});
