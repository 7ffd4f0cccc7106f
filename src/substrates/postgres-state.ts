import type { Logger } from '../logging/logger.js';
import { POSTGRES_APP_ROLE, POSTGRES_DATABASE } from '../platform/app-namespaces.js';
import type { PostgresAdmin } from '../platform/fault-target.js';

/**
 * The PostgreSQL state a run may change and no manifest holds (the cluster lives in the pod, made by its
 * entrypoint), as text a reset compares with what it recorded at bring-up.
 */
export interface PostgresState {
  /** The app role's limits: `connlimit=-1 login` when untouched. */
  appRole: string;
  /** Per-role and per-database settings touching the app's role or database (ALTER ROLE/DATABASE … SET). */
  roleSettings: string[];
  /** ALTER SYSTEM entries (postgresql.auto.conf): `name=value`. */
  alterSystem: string[];
  /** Settings in effect from configuration files (initdb's postgresql.conf, ALTER SYSTEM once reloaded). */
  configFile: string[];
}

export interface PostgresNames {
  /** The app's login role and its database. */
  role: string;
  database: string;
}

/** Sessions stuck for longer than this at reset (active, or idle inside a transaction) are ended. */
export const STUCK_SESSION_SECONDS = 30;

const text = (v: unknown): string => (v === null || v === undefined ? '' : String(v));

export async function readPostgresState(admin: PostgresAdmin, names: PostgresNames): Promise<PostgresState> {
  const [role] = await admin.query('SELECT rolconnlimit, rolcanlogin FROM pg_roles WHERE rolname = $1', [
    names.role,
  ]);
  const perRole = await admin.query(
    `SELECT coalesce(r.rolname, '*') AS role, coalesce(d.datname, '*') AS database, s.setconfig
       FROM pg_db_role_setting s
       LEFT JOIN pg_roles r ON r.oid = s.setrole
       LEFT JOIN pg_database d ON d.oid = s.setdatabase
      WHERE r.rolname = $1 OR d.datname = $2`,
    [names.role, names.database],
  );
  const auto = await admin.query(
    `SELECT name, setting FROM pg_file_settings WHERE sourcefile LIKE '%/postgresql.auto.conf' ORDER BY seqno`,
  );
  const config = await admin.query(
    `SELECT name, setting FROM pg_settings WHERE source = 'configuration file' ORDER BY name`,
  );
  return {
    appRole: role
      ? `connlimit=${text(role.rolconnlimit)} ${role.rolcanlogin === true ? 'login' : 'nologin'}`
      : 'absent',
    roleSettings: perRole
      .map(
        (r) =>
          `${text(r.role)}@${text(r.database)}: ${[...((r.setconfig as string[] | null) ?? [])].join(' ')}`,
      )
      .sort(),
    alterSystem: auto.map((r) => `${text(r.name)}=${text(r.setting)}`),
    configFile: config.map((r) => `${text(r.name)}=${text(r.setting)}`),
  };
}

/** One line for logs and comparisons. */
export function postgresStateText(s: PostgresState): string {
  return [
    `role ${s.appRole}`,
    `role settings [${s.roleSettings.join('; ')}]`,
    `alter system [${s.alterSystem.join(' ')}]`,
    `config [${s.configFile.join(' ')}]`,
  ].join(', ');
}

/** A quoted identifier. */
const ident = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/**
 * Puts back what faults change at run time, toward the state the entrypoint makes: the app role's
 * connection limit and login, no per-role or per-database settings, no ALTER SYSTEM entries (then a
 * configuration reload); ends sessions stuck in a transaction or a statement for longer than
 * STUCK_SESSION_SECONDS (lock holders a failed undo left behind). Returns what it did, for the log.
 */
export async function restorePostgres(admin: PostgresAdmin, names: PostgresNames): Promise<string[]> {
  const done: string[] = [];
  const before = await readPostgresState(admin, names);
  if (before.appRole !== 'absent' && before.appRole !== 'connlimit=-1 login') {
    await admin.query(`ALTER ROLE ${ident(names.role)} CONNECTION LIMIT -1 LOGIN`);
    done.push(`ALTER ROLE ${names.role} CONNECTION LIMIT -1 LOGIN (was ${before.appRole})`);
  }
  if (before.roleSettings.length > 0) {
    for (const sql of [
      `ALTER ROLE ${ident(names.role)} RESET ALL`,
      `ALTER ROLE ${ident(names.role)} IN DATABASE ${ident(names.database)} RESET ALL`,
      `ALTER DATABASE ${ident(names.database)} RESET ALL`,
    ]) {
      await admin.query(sql);
    }
    done.push(
      `RESET ALL for role ${names.role} and database ${names.database} (was ${before.roleSettings.join('; ')})`,
    );
  }
  if (before.alterSystem.length > 0) {
    await admin.query('ALTER SYSTEM RESET ALL');
    await admin.query('SELECT pg_reload_conf()');
    done.push(`ALTER SYSTEM RESET ALL and a reload (was ${before.alterSystem.join(' ')})`);
  }
  const ended = await admin.query(
    `SELECT pid, usename, state, pg_terminate_backend(pid) AS ended
       FROM pg_stat_activity
      WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()
        AND (state IN ('idle in transaction', 'idle in transaction (aborted)')
               AND now() - state_change > make_interval(secs => $1)
          OR state = 'active' AND now() - query_start > make_interval(secs => $1))`,
    [STUCK_SESSION_SECONDS],
  );
  if (ended.length > 0) {
    done.push(
      `ended ${ended.length} stuck session(s): ${ended.map((r) => `${text(r.pid)} ${text(r.usename)} ${text(r.state)}`).join(', ')}`,
    );
  }
  return done;
}

export interface SettleOptions {
  /** The state recorded at bring-up (postgresStateText); without it the first reading is returned. */
  baseline?: string;
  /** How long a configuration reload may take to show (pg_reload_conf only signals); default 5 s. */
  timeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * restorePostgres, then the state once it has settled: read again until it equals the baseline (a
 * reload shows a moment later) or the time is up. Throws when PostgreSQL cannot be reached.
 */
export async function settlePostgres(
  admin: PostgresAdmin,
  names: PostgresNames,
  opts: SettleOptions = {},
): Promise<{ state: string; actions: string[] }> {
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const actions = await restorePostgres(admin, names);
  const deadline = Date.now() + (opts.timeoutMs ?? 5000);
  for (;;) {
    const state = postgresStateText(await readPostgresState(admin, names));
    if (opts.baseline === undefined || state === opts.baseline || Date.now() >= deadline) {
      return { state, actions };
    }
    await sleep(250);
  }
}

/**
 * What a substrate does at bring-up and reset with the shop's PostgreSQL: settlePostgres for the app's role
 * and database, what it put back logged; undefined when there is no admin or PostgreSQL cannot be reached
 * with the Secret's password (logged too), so the caller treats the state as unknown.
 */
export async function settleAppPostgres(
  admin: PostgresAdmin | undefined,
  log: Logger,
  baseline: string | undefined,
): Promise<{ state: string } | undefined> {
  if (!admin) return undefined;
  try {
    const r = await settlePostgres(
      admin,
      { role: POSTGRES_APP_ROLE, database: POSTGRES_DATABASE },
      { baseline },
    );
    if (r.actions.length > 0) log.warn({ actions: r.actions }, 'postgres differed; put back');
    return r;
  } catch (err) {
    log.warn({ err }, 'cannot read the postgres state');
    return undefined;
  }
}
