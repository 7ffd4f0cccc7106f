import { InvalidInputError } from '../../errors/invalid-input-error.js';
import { RecordingPostgres } from '../testing/fake-target.js';
import {
  contextFor,
  injectError,
  loadShopObjects,
  paramProblems,
  shopTarget,
  type ShopObjects,
} from '../../../tests/fixtures/faults/fault-kit.js';
import { itRefusesMissingTarget } from '../../../tests/fixtures/faults/rollout-contract.js';
import { substratesProviding } from '../../substrates/registry.js';
import { dbConnectionLimit } from './db-connection-limit.js';

const POSTGRES = { namespace: 'shop', kind: 'Deployment', name: 'postgres' };
const READ_ROLE = 'SELECT rolconnlimit, rolsuper FROM pg_roles WHERE rolname = $1';
const TERMINATE =
  "SELECT pid, application_name, pg_terminate_backend(pid) AS ended FROM pg_stat_activity WHERE usename = $1 AND backend_type = 'client backend' AND pid <> pg_backend_pid()";

/** The shop's PostgreSQL as far as this fault sees it: roles with their limits, and the app's sessions. */
class RoleServer extends RecordingPostgres {
  readonly roles = new Map([
    ['shop', { connlimit: -1, superuser: false }],
    ['postgres', { connlimit: -1, superuser: true }],
  ]);
  constructor(private readonly failOn?: RegExp) {
    super();
    this.answer = (sql, params) => {
      if (this.failOn?.test(sql)) throw new Error('Connection terminated unexpectedly');
      if (sql === READ_ROLE) {
        const r = this.roles.get(String(params[0]));
        return r ? [{ rolconnlimit: r.connlimit, rolsuper: r.superuser }] : [];
      }
      if (sql.startsWith('SELECT rolname FROM pg_roles')) return [{ rolname: 'shop' }];
      const alter = /^ALTER ROLE "(\w+)" CONNECTION LIMIT (-?\d+)$/.exec(sql);
      if (alter) {
        const r = this.roles.get(alter[1]);
        if (r) r.connlimit = Number(alter[2]);
        return [];
      }
      if (sql === TERMINATE) {
        return [
          { pid: 4711, application_name: 'checkout', ended: true },
          { pid: 4712, application_name: 'inventory', ended: true },
        ];
      }
      throw new Error(`unexpected statement: ${sql}`);
    };
  }
}

describe('db-connection-limit', () => {
  let shop: ShopObjects;
  beforeAll(async () => {
    shop = await loadShopObjects();
  });

  it('targets the PostgreSQL Deployment on every substrate', () => {
    expect(dbConnectionLimit.targetKinds).toEqual(['Deployment']);
    expect(dbConnectionLimit.needs).toEqual(['objects', 'postgres-admin']);
    expect(substratesProviding(dbConnectionLimit.needs)).toEqual(['local', 'kind', 'kubeconfig']);
  });

  it("by default limits the app's role to 3 connections and ends its sessions", () => {
    expect(dbConnectionLimit.params.parse({})).toEqual({ role: 'shop', limit: 3, dropExisting: true });
    expect(dbConnectionLimit.params.parse({ role: 'reporting', limit: 0, dropExisting: false })).toEqual({
      role: 'reporting',
      limit: 0,
      dropExisting: false,
    });
  });

  it.each([
    [{ limit: 21 }, 'limit: Too big: expected number to be <=20'],
    [{ limit: -1 }, 'limit: Too small: expected number to be >=0'],
    [{ limit: 2.5 }, 'limit: Invalid input: expected int, received number'],
    [
      { role: 'shop"; DROP TABLE orders; --' },
      'role: must be a PostgreSQL role name: lower-case letters, digits, _',
    ],
    [{ role: 'Shop' }, 'role: must be a PostgreSQL role name: lower-case letters, digits, _'],
    [{ dropExisting: 'yes' }, 'dropExisting: Invalid input: expected boolean, received string'],
  ])('refuses params %j naming the problem', (params, problem) => {
    expect(paramProblems(dbConnectionLimit, params)).toEqual([problem]);
  });

  it('names the PostgreSQL Deployment as the root cause and expects the database-errors alert', () => {
    const p = dbConnectionLimit.params.parse({});
    expect(dbConnectionLimit.groundTruth(POSTGRES, p)).toEqual(['shop/Deployment/postgres']);
    expect(dbConnectionLimit.expectedAlerts(POSTGRES, p)).toEqual(['ShopDatabaseErrors']);
  });

  it('reads the limit, lowers it, ends the role’s sessions, and undo puts the limit back', async () => {
    const postgres = new RoleServer();
    const target = { ...shopTarget(shop), postgres };
    const undo = await dbConnectionLimit.inject(
      contextFor(dbConnectionLimit, target, 'shop/Deployment/postgres'),
    );
    expect(postgres.calls).toEqual([
      `${READ_ROLE} ["shop"]`,
      'ALTER ROLE "shop" CONNECTION LIMIT 3',
      `${TERMINATE} ["shop"]`,
    ]);
    expect(postgres.roles.get('shop')?.connlimit).toBe(3);
    expect(undo.description).toBe('restore the connection limit of PostgreSQL role shop to -1');

    await undo.undo();
    expect(postgres.calls.slice(3)).toEqual(['ALTER ROLE "shop" CONNECTION LIMIT -1']);
    expect(postgres.roles.get('shop')?.connlimit).toBe(-1);
    // The pod, its spec and its Secret stay as they were.
    expect(target.objects.calls).toEqual([]);
  });

  it('puts back a limit the role already had, and with dropExisting: false ends no session', async () => {
    const postgres = new RoleServer();
    const shopRole = postgres.roles.get('shop');
    if (shopRole) shopRole.connlimit = 40;
    const target = { ...shopTarget(shop), postgres };
    const undo = await dbConnectionLimit.inject(
      contextFor(dbConnectionLimit, target, 'shop/Deployment/postgres', { limit: 1, dropExisting: false }),
    );
    expect(postgres.calls).toEqual([`${READ_ROLE} ["shop"]`, 'ALTER ROLE "shop" CONNECTION LIMIT 1']);
    await undo.undo();
    expect(postgres.calls.at(-1)).toBe('ALTER ROLE "shop" CONNECTION LIMIT 40');
    expect(postgres.roles.get('shop')?.connlimit).toBe(40);
  });

  it.each([
    ['ending the sessions', /pg_terminate_backend/],
    ['the ALTER ROLE (its reply lost)', /^ALTER ROLE "shop" CONNECTION LIMIT 3$/],
  ])('when %s fails, restores the limit before reporting the error', async (_, failOn) => {
    const postgres = new RoleServer(failOn);
    const target = { ...shopTarget(shop), postgres };
    const err = await injectError(
      dbConnectionLimit,
      contextFor(dbConnectionLimit, target, 'shop/Deployment/postgres'),
    );
    expect(err.message).toBe('Connection terminated unexpectedly');
    expect(postgres.calls.at(-1)).toBe('ALTER ROLE "shop" CONNECTION LIMIT -1');
    expect(postgres.roles.get('shop')?.connlimit).toBe(-1);
  });

  it('refuses a role PostgreSQL does not have, naming its login roles, and changes nothing', async () => {
    const postgres = new RoleServer();
    const target = { ...shopTarget(shop), postgres };
    const err = await injectError(
      dbConnectionLimit,
      contextFor(dbConnectionLimit, target, 'shop/Deployment/postgres', { role: 'orders' }),
    );
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err.message).toBe('params.role: PostgreSQL has no role "orders"; its login roles: shop');
    expect(postgres.calls.filter((c) => !c.startsWith('SELECT'))).toEqual([]);
  });

  it('refuses a superuser, whom connection limits do not bind', async () => {
    const postgres = new RoleServer();
    const target = { ...shopTarget(shop), postgres };
    const err = await injectError(
      dbConnectionLimit,
      contextFor(dbConnectionLimit, target, 'shop/Deployment/postgres', { role: 'postgres' }),
    );
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err.message).toBe(
      `params.role: "postgres" is a superuser, and connection limits do not apply to superusers; name the app's role, e.g. shop`,
    );
    expect(postgres.calls).toEqual([`${READ_ROLE} ["postgres"]`]);
  });

  itRefusesMissingTarget(dbConnectionLimit, () => shop, 'shop/Deployment/pg', { untouched: 'postgres' });

  it('refuses a Deployment that does not run PostgreSQL (the root cause would be recorded wrongly)', async () => {
    const target = shopTarget(shop);
    const err = await injectError(
      dbConnectionLimit,
      contextFor(dbConnectionLimit, target, 'shop/Deployment/inventory'),
    );
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err.message).toBe(
      'shop/Deployment/inventory does not run PostgreSQL (no container uses the postgres image); target the PostgreSQL Deployment, e.g. shop/Deployment/postgres',
    );
    expect(target.postgres.calls).toEqual([]);
  });

  it('fails plainly on a substrate that lends no PostgreSQL admin, changing nothing', async () => {
    const target = { ...shopTarget(shop), postgres: undefined };
    const err = await injectError(
      dbConnectionLimit,
      contextFor(dbConnectionLimit, target, 'shop/Deployment/postgres'),
    );
    expect(err.message).toMatch(/^this substrate lends no PostgreSQL admin \(capability postgres-admin\)/);
    expect(target.objects.calls).toEqual([]);
  });
});
