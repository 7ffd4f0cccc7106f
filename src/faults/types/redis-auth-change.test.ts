import { InvalidInputError } from '../../errors/invalid-input-error.js';
import { RecordingRedis } from '../testing/fake-target.js';
import {
  contextFor,
  injectError,
  loadShopObjects,
  paramProblems,
  shopTarget,
  type ShopObjects,
} from '../../../tests/fixtures/faults/fault-kit.js';
import { itRefusesMissingTarget } from '../../../tests/fixtures/faults/rollout-contract.js';
import { redisAuthChange } from './redis-auth-change.js';
import { substratesProviding } from '../../substrates/registry.js';

const REDIS = { namespace: 'shop', kind: 'Deployment', name: 'redis' };

/**
 * Redis with AUTH as the server enforces it: a command runs only with the password currently required
 * (given per call, or the admin's own credentials, which come from the unchanged Secret), and AUTH
 * with a password is an error when none is set. `fail` makes the first such command fail, optionally after
 * it took effect.
 */
class AuthRedis extends RecordingRedis {
  constructor(
    config: Record<string, string>,
    private readonly credentials: string | undefined,
    private fail?: { command: string; landed: boolean },
  ) {
    super(config);
  }

  override async command(args: string[], opts?: { password?: string }): Promise<unknown> {
    const required = this.config.requirepass ?? '';
    const given = opts?.password ?? this.credentials;
    const line = args.join(' ');
    if (required === '' && given !== undefined) {
      this.calls.push(`${line} (AUTH refused)`);
      throw new Error('ERR AUTH <password> called without any password configured for the default user');
    }
    if (required !== '' && given !== required) {
      this.calls.push(`${line} (WRONGPASS)`);
      throw new Error('WRONGPASS invalid username-password pair or user is disabled.');
    }
    if (this.fail && line === this.fail.command) {
      const { landed } = this.fail;
      this.fail = undefined;
      if (landed) await super.command(args, opts);
      else this.calls.push(`${line} (failed)`);
      throw new Error('redis 127.0.0.1:6379 closed the connection');
    }
    return super.command(args, opts);
  }
}

describe('redis-auth-change', () => {
  let shop: ShopObjects;
  let secretPassword: string;
  beforeAll(async () => {
    shop = await loadShopObjects();
    secretPassword = shop.get('shop/Secret/redis-auth').stringData?.password ?? '';
  });

  it('targets the Redis Deployment on every substrate', () => {
    expect(redisAuthChange.targetKinds).toEqual(['Deployment']);
    expect(substratesProviding(redisAuthChange.needs)).toEqual(['local', 'kind', 'kubeconfig']);
  });

  it('by default picks a random password', () => {
    expect(redisAuthChange.params.parse({})).toEqual({});
    expect(redisAuthChange.params.parse({ password: 'rotated-0001' })).toEqual({ password: 'rotated-0001' });
  });

  it.each([
    [{ password: 'short' }, 'password: Too small: expected string to have >=8 characters'],
    [{ password: 12345678 }, 'password: Invalid input: expected string, received number'],
    [{ user: 'default' }, '(params): Unrecognized key: "user"'],
  ])('refuses params %j naming the problem', (params, problem) => {
    expect(paramProblems(redisAuthChange, params)).toEqual([problem]);
  });

  it('names the Redis Deployment as the root cause and expects the error-rate alert', () => {
    expect(redisAuthChange.groundTruth(REDIS, {})).toEqual(['shop/Deployment/redis']);
    expect(redisAuthChange.expectedAlerts(REDIS, {})).toEqual(['ShopHighErrorRate']);
  });

  it('changes the password and drops clients with the new one; undo restores it with the new one, then drops clients with the old', async () => {
    expect(secretPassword).toBe('firedrill-redis-3c1e');
    const redis = new AuthRedis({ requirepass: secretPassword }, secretPassword);
    const target = { ...shopTarget(shop), redis };
    const undo = await redisAuthChange.inject(
      contextFor(redisAuthChange, target, 'shop/Deployment/redis', { password: 'rotated-0001' }),
    );
    expect(redis.calls).toEqual([
      'CONFIG GET requirepass',
      'CONFIG SET requirepass rotated-0001',
      'CLIENT KILL TYPE normal (auth rotated-0001)',
    ]);
    expect(redis.config.requirepass).toBe('rotated-0001');
    expect(undo.description).toBe('restore the Redis password of shop/Deployment/redis');

    await undo.undo();
    expect(redis.calls.slice(3)).toEqual([
      `CONFIG SET requirepass ${secretPassword} (auth rotated-0001)`,
      `CLIENT KILL TYPE normal (auth ${secretPassword})`,
    ]);
    expect(redis.config.requirepass).toBe(secretPassword);
    // The Secret the clients read is never touched: that is the fault.
    expect(target.objects.calls).toEqual([]);
  });

  it('draws a fresh random password each time', async () => {
    const seen: string[] = [];
    for (let i = 0; i < 2; i++) {
      const redis = new AuthRedis({ requirepass: secretPassword }, secretPassword);
      const undo = await redisAuthChange.inject(
        contextFor(redisAuthChange, { ...shopTarget(shop), redis }, 'shop/Deployment/redis'),
      );
      expect(redis.config.requirepass).toMatch(/^[0-9a-f]{24}$/);
      seen.push(redis.config.requirepass);
      await undo.undo();
      expect(redis.config.requirepass).toBe(secretPassword);
    }
    expect(seen[0]).not.toBe(seen[1]);
  });

  it('restores a Redis that had no password without sending AUTH', async () => {
    const redis = new AuthRedis({ requirepass: '' }, undefined);
    const target = { ...shopTarget(shop), redis };
    const undo = await redisAuthChange.inject(
      contextFor(redisAuthChange, target, 'shop/Deployment/redis', { password: 'rotated-0001' }),
    );
    await undo.undo();
    expect(redis.calls.slice(3)).toEqual([
      'CONFIG SET requirepass  (auth rotated-0001)',
      'CLIENT KILL TYPE normal',
    ]);
    expect(redis.config.requirepass).toBe('');
  });

  it('puts the old password back when dropping the clients failed', async () => {
    const redis = new AuthRedis({ requirepass: secretPassword }, secretPassword, {
      command: 'CLIENT KILL TYPE normal',
      landed: false,
    });
    const target = { ...shopTarget(shop), redis };
    const err = await injectError(
      redisAuthChange,
      contextFor(redisAuthChange, target, 'shop/Deployment/redis', { password: 'rotated-0001' }),
    );
    expect(err.message).toMatch(/closed the connection/);
    expect(redis.calls.slice(2)).toEqual([
      'CLIENT KILL TYPE normal (failed)',
      `CONFIG SET requirepass ${secretPassword} (auth rotated-0001)`,
      `CLIENT KILL TYPE normal (auth ${secretPassword})`,
    ]);
    expect(redis.config.requirepass).toBe(secretPassword);
  });

  it.each([
    // The change happened but its reply was lost: only the new password opens a connection.
    [true, ['CONFIG SET requirepass firedrill-redis-3c1e (auth rotated-0001)']],
    // The change never happened: the new password is refused and the old one still works.
    [
      false,
      [
        'CONFIG SET requirepass firedrill-redis-3c1e (WRONGPASS)',
        'CONFIG SET requirepass firedrill-redis-3c1e (auth firedrill-redis-3c1e)',
      ],
    ],
  ])(
    'when the password change itself failed (took effect: %s), leaves the old password in place',
    async (landed, restore) => {
      const redis = new AuthRedis({ requirepass: secretPassword }, secretPassword, {
        command: 'CONFIG SET requirepass rotated-0001',
        landed,
      });
      const target = { ...shopTarget(shop), redis };
      await injectError(
        redisAuthChange,
        contextFor(redisAuthChange, target, 'shop/Deployment/redis', { password: 'rotated-0001' }),
      );
      expect(redis.calls.slice(1)).toEqual([
        ...(landed
          ? ['CONFIG SET requirepass rotated-0001']
          : ['CONFIG SET requirepass rotated-0001 (failed)']),
        ...restore,
        `CLIENT KILL TYPE normal (auth ${secretPassword})`,
      ]);
      expect(redis.config.requirepass).toBe(secretPassword);
    },
  );

  itRefusesMissingTarget(redisAuthChange, () => shop, 'shop/Deployment/redis-master', { untouched: 'redis' });

  it('refuses a Deployment that does not run Redis', async () => {
    const target = shopTarget(shop);
    const err = await injectError(
      redisAuthChange,
      contextFor(redisAuthChange, target, 'shop/Deployment/cart'),
    );
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err.message).toMatch(/^shop\/Deployment\/cart does not run Redis/);
    expect(target.redis.calls).toEqual([]);
  });
});
