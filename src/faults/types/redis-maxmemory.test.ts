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
import { redisMaxmemory } from './redis-maxmemory.js';
import { substratesProviding } from '../../substrates/registry.js';

const REDIS = { namespace: 'shop', kind: 'Deployment', name: 'redis' };
// What the shop's Redis reports for `--maxmemory 96mb --maxmemory-policy allkeys-lru` (manifests/shop/redis.yaml).
const SHOP_REDIS = { maxmemory: String(96 * 1024 * 1024), 'maxmemory-policy': 'allkeys-lru' };

/** Also remembers the configuration after every command, to check the states Redis passed through. */
class ObservedRedis extends RecordingRedis {
  readonly states: Array<Record<string, string>> = [];
  constructor(
    config: Record<string, string>,
    private readonly failOn?: string,
  ) {
    super(config);
  }
  override async command(args: string[], opts?: { password?: string }): Promise<unknown> {
    if (args.join(' ') === this.failOn) {
      this.calls.push(`${args.join(' ')} (failed)`);
      throw new Error('redis 127.0.0.1:6379: no reply to CONFIG within 5000 ms');
    }
    const reply = await super.command(args, opts);
    this.states.push({ ...this.config });
    return reply;
  }
}

describe('redis-maxmemory', () => {
  let shop: ShopObjects;
  beforeAll(async () => {
    shop = await loadShopObjects();
  });

  it('targets the Redis Deployment on every substrate', () => {
    expect(redisMaxmemory.targetKinds).toEqual(['Deployment']);
    expect(substratesProviding(redisMaxmemory.needs)).toEqual(['local', 'kind', 'kubeconfig']);
  });

  it('by default squeezes Redis to 512kb with noeviction', () => {
    expect(redisMaxmemory.params.parse({})).toEqual({ maxmemory: '512kb', policy: 'noeviction' });
    expect(redisMaxmemory.params.parse({ maxmemory: '2MB', policy: 'allkeys-random' })).toEqual({
      maxmemory: '2MB',
      policy: 'allkeys-random',
    });
  });

  it.each([
    [{ maxmemory: '1 GB' }, /^maxmemory: must be a Redis memory size like 512kb$/],
    [{ maxmemory: 512 }, /^maxmemory: Invalid input: expected string, received number$/],
    [{ policy: 'lru' }, /^policy: Invalid option: expected one of "noeviction"\|/],
  ])('refuses params %j naming the problem', (params, problem) => {
    const problems = paramProblems(redisMaxmemory, params);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(problem);
  });

  it('names the Redis Deployment as the root cause and expects the error-rate alert', () => {
    const p = { maxmemory: '512kb', policy: 'noeviction' as const };
    expect(redisMaxmemory.groundTruth(REDIS, p)).toEqual(['shop/Deployment/redis']);
    expect(redisMaxmemory.expectedAlerts(REDIS, p)).toEqual(['ShopHighErrorRate']);
  });

  it('makes the policy strict before lowering the budget, and undo raises it before relaxing the policy', async () => {
    const redis = new ObservedRedis({ ...SHOP_REDIS });
    const target = { ...shopTarget(shop), redis };
    const undo = await redisMaxmemory.inject(contextFor(redisMaxmemory, target, 'shop/Deployment/redis'));
    // With the client's own credentials throughout: this fault does not touch the password.
    expect(redis.calls).toEqual([
      'CONFIG GET maxmemory',
      'CONFIG GET maxmemory-policy',
      'CONFIG SET maxmemory-policy noeviction',
      'CONFIG SET maxmemory 512kb',
    ]);
    expect(redis.config).toEqual({ maxmemory: '512kb', 'maxmemory-policy': 'noeviction' });
    expect(undo.description).toBe('restore Redis maxmemory 100663296 (allkeys-lru)');

    await undo.undo();
    expect(redis.calls.slice(4)).toEqual([
      'CONFIG SET maxmemory 100663296',
      'CONFIG SET maxmemory-policy allkeys-lru',
    ]);
    expect(redis.config).toEqual(SHOP_REDIS);
    // Never a small budget with an evicting policy: that would delete the carts instead of refusing writes.
    expect(
      redis.states.filter((s) => s.maxmemory === '512kb' && s['maxmemory-policy'] !== 'noeviction'),
    ).toEqual([]);
    expect(target.objects.calls).toEqual([]);
  });

  it('restores "no limit" when Redis had none', async () => {
    const redis = new RecordingRedis({ maxmemory: '0', 'maxmemory-policy': 'noeviction' });
    const target = { ...shopTarget(shop), redis };
    const undo = await redisMaxmemory.inject(
      contextFor(redisMaxmemory, target, 'shop/Deployment/redis', { maxmemory: '1mb' }),
    );
    await undo.undo();
    expect(redis.config).toEqual({ maxmemory: '0', 'maxmemory-policy': 'noeviction' });
  });

  it('puts the policy back when lowering the budget failed', async () => {
    const redis = new ObservedRedis({ ...SHOP_REDIS }, 'CONFIG SET maxmemory 512kb');
    const target = { ...shopTarget(shop), redis };
    const err = await injectError(
      redisMaxmemory,
      contextFor(redisMaxmemory, target, 'shop/Deployment/redis'),
    );
    expect(err.message).toMatch(/no reply to CONFIG/);
    expect(redis.calls.slice(2)).toEqual([
      'CONFIG SET maxmemory-policy noeviction',
      'CONFIG SET maxmemory 512kb (failed)',
      'CONFIG SET maxmemory 100663296',
      'CONFIG SET maxmemory-policy allkeys-lru',
    ]);
    expect(redis.config).toEqual(SHOP_REDIS);
  });

  itRefusesMissingTarget(redisMaxmemory, () => shop, 'shop/Deployment/valkey', { untouched: 'redis' });

  it('refuses a Deployment that does not run Redis (the root cause would be recorded wrongly)', async () => {
    const target = shopTarget(shop);
    const err = await injectError(redisMaxmemory, contextFor(redisMaxmemory, target, 'shop/Deployment/cart'));
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err.message).toBe(
      'shop/Deployment/cart does not run Redis (no container uses the redis image); target the Redis Deployment, e.g. shop/Deployment/redis',
    );
    expect(target.redis.calls).toEqual([]);
  });
});
