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
import { dbReadOnly } from './db-read-only.js';

const POSTGRES = { namespace: 'shop', kind: 'Deployment', name: 'postgres' };
const READ_SETTING =
  'SELECT setting, source FROM pg_settings WHERE name = $1 ["default_transaction_read_only"]';
const READ_AUTO_CONF =
  'SELECT setting FROM pg_file_settings WHERE name = $1 AND sourcefile LIKE \'%/postgresql.auto.conf\' ORDER BY seqno DESC LIMIT 1 ["default_transaction_read_only"]';

/**
 * ALTER SYSTEM and reloads as PostgreSQL does them: `autoConf` is postgresql.auto.conf, `setting` what
 * sessions see, taken from it at a reload (`off`, the built-in default, when it holds nothing).
 */
class SettingsServer extends RecordingPostgres {
  autoConf: string | undefined;
  setting = 'off';
  constructor(private readonly failOn?: RegExp) {
    super();
    this.answer = (sql) => {
      if (this.failOn?.test(sql)) throw new Error('Connection terminated unexpectedly');
      if (sql.startsWith('SELECT setting, source FROM pg_settings'))
        return [
          { setting: this.setting, source: this.autoConf === undefined ? 'default' : 'configuration file' },
        ];
      if (sql.startsWith('SELECT setting FROM pg_file_settings'))
        return this.autoConf === undefined ? [] : [{ setting: this.autoConf }];
      const set = /^ALTER SYSTEM SET default_transaction_read_only = '?(\w+)'?$/.exec(sql);
      if (set) this.autoConf = set[1];
      else if (sql === 'ALTER SYSTEM RESET default_transaction_read_only') this.autoConf = undefined;
      else if (sql === 'SELECT pg_reload_conf()') {
        this.setting = this.autoConf ?? 'off';
        return [{ pg_reload_conf: true }];
      } else throw new Error(`unexpected statement: ${sql}`);
      return [];
    };
  }
}

describe('db-read-only', () => {
  let shop: ShopObjects;
  beforeAll(async () => {
    shop = await loadShopObjects();
  });

  it('targets the PostgreSQL Deployment on every substrate', () => {
    expect(dbReadOnly.targetKinds).toEqual(['Deployment']);
    expect(substratesProviding(dbReadOnly.needs)).toEqual(['local', 'kind', 'kubeconfig']);
  });

  it('takes no params', () => {
    expect(dbReadOnly.params.parse({})).toEqual({});
    expect(paramProblems(dbReadOnly, { setting: 'on' })).toEqual(['(params): Unrecognized key: "setting"']);
  });

  it('names the PostgreSQL Deployment as the root cause and expects database errors and failing requests', () => {
    expect(dbReadOnly.groundTruth(POSTGRES, {})).toEqual(['shop/Deployment/postgres']);
    expect(dbReadOnly.expectedAlerts(POSTGRES, {})).toEqual(['ShopDatabaseErrors', 'ShopHighErrorRate']);
  });

  it('sets default_transaction_read_only with ALTER SYSTEM and reloads; undo removes it and reloads', async () => {
    const postgres = new SettingsServer();
    const target = { ...shopTarget(shop), postgres };
    const undo = await dbReadOnly.inject(contextFor(dbReadOnly, target, 'shop/Deployment/postgres'));
    expect(postgres.calls).toEqual([
      READ_SETTING,
      READ_AUTO_CONF,
      'ALTER SYSTEM SET default_transaction_read_only = on',
      'SELECT pg_reload_conf()',
    ]);
    expect(postgres.setting).toBe('on');
    expect(undo.description).toBe(
      "remove PostgreSQL's ALTER SYSTEM default_transaction_read_only and reload",
    );

    await undo.undo();
    expect(postgres.calls.slice(4)).toEqual([
      'ALTER SYSTEM RESET default_transaction_read_only',
      'SELECT pg_reload_conf()',
    ]);
    expect(postgres).toMatchObject({ autoConf: undefined, setting: 'off' });
    expect(target.objects.calls).toEqual([]);
  });

  it('puts back a value ALTER SYSTEM already held', async () => {
    const postgres = new SettingsServer();
    postgres.autoConf = 'off';
    const target = { ...shopTarget(shop), postgres };
    const undo = await dbReadOnly.inject(contextFor(dbReadOnly, target, 'shop/Deployment/postgres'));
    await undo.undo();
    expect(postgres.calls.slice(4)).toEqual([
      "ALTER SYSTEM SET default_transaction_read_only = 'off'",
      'SELECT pg_reload_conf()',
    ]);
    expect(postgres).toMatchObject({ autoConf: 'off', setting: 'off' });
  });

  it.each([
    ['the reload', /^SELECT pg_reload_conf\(\)$/],
    ['ALTER SYSTEM (its reply lost)', /^ALTER SYSTEM SET default_transaction_read_only = on$/],
  ])('when %s fails, removes the setting and reloads before reporting the error', async (_, failOn) => {
    const postgres = new SettingsServer(failOn);
    const target = { ...shopTarget(shop), postgres };
    const err = await injectError(dbReadOnly, contextFor(dbReadOnly, target, 'shop/Deployment/postgres'));
    expect(err.message).toBe('Connection terminated unexpectedly');
    // The rollback's reload fails too when the reload is what fails; the ALTER SYSTEM is undone all the same.
    expect(postgres.calls).toContain('ALTER SYSTEM RESET default_transaction_read_only');
    expect(postgres.autoConf).toBeUndefined();
  });

  it('refuses a PostgreSQL that is read-only already, changing nothing', async () => {
    const postgres = new SettingsServer();
    postgres.autoConf = 'on';
    postgres.setting = 'on';
    const target = { ...shopTarget(shop), postgres };
    const err = await injectError(dbReadOnly, contextFor(dbReadOnly, target, 'shop/Deployment/postgres'));
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err.message).toBe(
      'PostgreSQL already starts every transaction read-only (default_transaction_read_only = on, from its configuration file), so this fault would change nothing; reset the environment first',
    );
    expect(postgres.calls).toEqual([READ_SETTING]);
  });

  itRefusesMissingTarget(dbReadOnly, () => shop, 'shop/Deployment/pg', { untouched: 'postgres' });

  it('refuses a Deployment that does not run PostgreSQL', async () => {
    const target = shopTarget(shop);
    const err = await injectError(dbReadOnly, contextFor(dbReadOnly, target, 'shop/Deployment/redis'));
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err.message).toMatch(/^shop\/Deployment\/redis does not run PostgreSQL/);
    expect(target.postgres.calls).toEqual([]);
  });
});
