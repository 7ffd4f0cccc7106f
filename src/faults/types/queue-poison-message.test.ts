import { InvalidInputError } from '../../errors/invalid-input-error.js';
import type { KubeObject } from '../../kube/kube-object.js';
import { podTemplateOf } from '../../kube/pod-template.js';
import {
  asLive,
  contextFor,
  FailingObjects,
  injectError,
  loadShopObjects,
  paramProblems,
  shopTarget,
  withoutServerFields,
  type ShopObjects,
} from '../../../tests/fixtures/faults/fault-kit.js';
import { itRefusesMissingTarget } from '../../../tests/fixtures/faults/rollout-contract.js';
import { substratesProviding } from '../../substrates/registry.js';
import { MemoryObjects, RecordingRedis } from '../testing/fake-target.js';
import { queuePoisonMessage, SWEEP } from './queue-poison-message.js';

const CHECKOUT = { namespace: 'shop', kind: 'Deployment', name: 'checkout' };
const RESTARTED_AT = 'kubectl.kubernetes.io/restartedAt';

function restartedAt(d: KubeObject | undefined): string | undefined {
  return podTemplateOf(d)?.metadata?.annotations?.[RESTARTED_AT];
}

/** A Deployment controller that finishes every rollout at once (status as kube-controller-manager writes it). */
class RollingObjects extends MemoryObjects {
  override async apply(obj: KubeObject): Promise<KubeObject> {
    const applied = await super.apply(obj);
    if (obj.kind !== 'Deployment') return applied;
    const generation = (this.generations.get(obj.metadata.name) ?? 0) + 1;
    this.generations.set(obj.metadata.name, generation);
    const replicas = (obj.spec as { replicas?: number } | undefined)?.replicas ?? 1;
    const live = { ...structuredClone(obj), metadata: { ...obj.metadata, generation } };
    live.status = {
      observedGeneration: generation,
      replicas,
      updatedReplicas: replicas,
      availableReplicas: replicas,
    };
    this.objects.set(`${obj.metadata.namespace ?? ''}/Deployment/${obj.metadata.name}`, live);
    return structuredClone(live);
  }
  private readonly generations = new Map<string, number>();
}

type Entry = [string, string[]];
const v1 = (id: string): Entry => [
  id,
  ['type', 'order.placed', 'payload', JSON.stringify({ orderId: id, userId: 'u', totalUsd: 1, items: 1 })],
];
const v2 = (id: string): Entry => [
  id,
  ['type', 'order.placed', 'payload', JSON.stringify({ order: JSON.stringify({ id }), amount: '1 USD' })],
];

/** Redis with one stream, answering XREVRANGE, XRANGE (exclusive starts, COUNT) and XDEL as Redis 7 does. */
class StreamRedis extends RecordingRedis {
  constructor(public entries: Entry[] = []) {
    super();
  }
  override async command(args: string[], opts?: { password?: string }): Promise<unknown> {
    await super.command(args, opts);
    const [cmd, , a, b, , count] = args;
    const cmp = (x: string, y: string): number => {
      const [xm, xs] = x.split('-').map(Number);
      const [ym, ys] = y.split('-').map(Number);
      return xm - ym || xs - ys;
    };
    if (cmd === 'XREVRANGE') return this.entries.slice(-1).reverse();
    if (cmd === 'XRANGE') {
      const exclusive = a.startsWith('(');
      const start = exclusive ? a.slice(1) : a;
      expect(b).toBe('+');
      return this.entries
        .filter(([id]) => (exclusive ? cmp(id, start) > 0 : cmp(id, start) >= 0))
        .slice(0, Number(count));
    }
    if (cmd === 'XDEL') {
      const gone = new Set(args.slice(2));
      const before = this.entries.length;
      this.entries = this.entries.filter(([id]) => !gone.has(id));
      return before - this.entries.length;
    }
    throw new Error(`unexpected command ${args.join(' ')}`);
  }
}

describe('queue-poison-message', () => {
  let shop: ShopObjects;
  beforeAll(async () => {
    shop = await loadShopObjects();
    SWEEP.intervalMs = 1;
  });

  async function expectShopUnchanged(objects: {
    get(kind: string, ns: string, name: string): Promise<KubeObject | undefined>;
  }): Promise<void> {
    for (const id of ['shop/ConfigMap/checkout-config', 'shop/Deployment/checkout']) {
      const [ns, kind, name] = id.split('/');
      expect(withoutServerFields(await objects.get(kind, ns, name))).toStrictEqual(shop.get(id));
    }
  }

  it('targets the publishing Deployment on every substrate', () => {
    expect(queuePoisonMessage.targetKinds).toEqual(['Deployment']);
    expect(queuePoisonMessage.needs).toEqual(['objects', 'rollouts', 'redis-admin']);
    expect(substratesProviding(queuePoisonMessage.needs)).toEqual(['local', 'kind', 'kubeconfig']);
  });

  it('takes no params', () => {
    expect(queuePoisonMessage.params.parse({})).toEqual({});
    expect(paramProblems(queuePoisonMessage, { format: 'v3' })).toEqual([
      '(params): Unrecognized key: "format"',
    ]);
  });

  it('names the producer as the root cause, its ConfigMap as an alias, and expects crash loops and a stale backlog', () => {
    expect(queuePoisonMessage.groundTruth(CHECKOUT, {})).toEqual(['shop/Deployment/checkout']);
    expect(queuePoisonMessage.aliases?.(CHECKOUT, {})).toEqual({
      'shop/Deployment/checkout': ['shop/ConfigMap/checkout-config'],
    });
    expect(queuePoisonMessage.expectedAlerts(CHECKOUT, {})).toEqual([
      'KubePodCrashLooping',
      'ShopQueueBacklogAging',
    ]);
  });

  it('adds orderEventFormat v2 to the producer’s config, rolls it out, and undo restores the ConfigMap first', async () => {
    const redis = new StreamRedis([v1('1000-0'), v1('1001-0')]);
    const target = { ...shopTarget(shop, new RollingObjects()), redis };
    const started = Date.now();
    const undo = await queuePoisonMessage.inject(
      contextFor(queuePoisonMessage, target, 'shop/Deployment/checkout'),
    );
    // Where the new events will start, read before anything changed.
    expect(redis.calls).toEqual(['XREVRANGE orders + - COUNT 1']);

    // One line more, the rest of the file as it was.
    const before = shop.get('shop/ConfigMap/checkout-config').data?.['config.json'] ?? '';
    const after =
      (await target.objects.get('ConfigMap', 'shop', 'checkout-config'))?.data?.['config.json'] ?? '';
    expect(after).toBe(before.replace('{\n  "logLevel"', '{\n  "orderEventFormat": "v2",\n  "logLevel"'));
    expect(JSON.parse(after)).toEqual({ ...JSON.parse(before), orderEventFormat: 'v2' });

    // Only checkout mounts checkout-config; the rollout is a template annotation, as `kubectl rollout restart`.
    expect(target.objects.calls).toEqual([
      'apply shop/ConfigMap/checkout-config',
      'apply shop/Deployment/checkout',
    ]);
    const rolled = await target.objects.get('Deployment', 'shop', 'checkout');
    const at = restartedAt(rolled) ?? '';
    expect(Date.parse(at)).toBeGreaterThanOrEqual(Math.floor(started / 1000) * 1000);
    const expected = shop.get('shop/Deployment/checkout');
    const template = podTemplateOf(expected);
    if (!template?.metadata) throw new Error('checkout has no pod template metadata');
    template.metadata.annotations = { ...template.metadata.annotations, [RESTARTED_AT]: at };
    expect(withoutServerFields(rolled)).toStrictEqual(expected);

    // The new checkout publishes v2 events (and an older pod a last v1 one) while the fault holds.
    redis.entries.push(v2('1002-0'), v1('1002-1'), v2('1003-0'), v2('1004-0'));
    expect(undo.description).toBe(
      'restore ConfigMap shop/ConfigMap/checkout-config and the Deployments rolled with it, then delete the v2 events from stream orders',
    );
    await undo.undo();
    expect(target.objects.calls.slice(2)).toEqual([
      'apply shop/ConfigMap/checkout-config',
      'apply shop/Deployment/checkout',
    ]);
    await expectShopUnchanged(target.objects);
    // Once checkout publishes v1 again, the poison is gone: the consumers find their pending v2 entries deleted.
    // then swept twice more, finding nothing a terminating v2 pod published late
    expect(redis.calls.slice(1)).toEqual([
      'XRANGE orders (1001-0 + COUNT 500',
      'XDEL orders 1002-0 1003-0 1004-0',
      'XRANGE orders (1001-0 + COUNT 500',
      'XRANGE orders (1001-0 + COUNT 500',
    ]);
    expect(redis.entries.map(([id]) => id)).toEqual(['1000-0', '1001-0', '1002-1']);
  });

  it('deletes the v2 events page by page from an empty stream’s start', async () => {
    const redis = new StreamRedis();
    const target = { ...shopTarget(shop, new RollingObjects()), redis };
    const undo = await queuePoisonMessage.inject(
      contextFor(queuePoisonMessage, target, 'shop/Deployment/checkout'),
    );
    for (let i = 0; i < 700; i++) redis.entries.push(i % 7 === 0 ? v1(`${2000 + i}-0`) : v2(`${2000 + i}-0`));
    await undo.undo();
    expect(redis.calls.filter((c) => c.startsWith('XRANGE')).slice(0, 2)).toEqual([
      'XRANGE orders (0-0 + COUNT 500',
      'XRANGE orders (2499-0 + COUNT 500',
    ]);
    expect(redis.entries).toHaveLength(100);
    expect(redis.entries.every(([id]) => Number(id.split('-')[0]) % 7 === 2000 % 7)).toBe(true);
  });

  it('sweeps until the stream stays clean: a v2 event a terminating pod publishes late goes too', async () => {
    const redis = new StreamRedis([v1('1000-0')]);
    const target = { ...shopTarget(shop, new RollingObjects()), redis };
    const undo = await queuePoisonMessage.inject(
      contextFor(queuePoisonMessage, target, 'shop/Deployment/checkout'),
    );
    redis.entries.push(v2('1001-0'));
    let late = true;
    const xdel = redis.command.bind(redis);
    redis.command = async (args, opts) => {
      const reply = await xdel(args, opts);
      // right after the first deletion, the old pod's last request publishes one more
      if (args[0] === 'XDEL' && late) {
        late = false;
        redis.entries.push(v2('1002-0'));
      }
      return reply;
    };
    await undo.undo();
    expect(redis.calls.filter((c) => c.startsWith('XDEL'))).toEqual([
      'XDEL orders 1001-0',
      'XDEL orders 1002-0',
    ]);
    expect(redis.entries.map(([id]) => id)).toEqual(['1000-0']);
  });

  it('replaces the consumers that crash-looped, and leaves the others alone', async () => {
    const objects = new RollingObjects();
    const target = { ...shopTarget(shop, objects), redis: new StreamRedis() };
    const pod = (name: string, app: string, restarts: number): KubeObject =>
      asLive(
        {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: {
            name,
            namespace: 'shop',
            labels: { 'app.kubernetes.io/name': app, 'app.kubernetes.io/part-of': 'shop' },
          },
          spec: { containers: [{ name: app, image: 'firedrill/shop:0.1.0' }] },
        },
        200 + restarts,
      );
    const crashed = pod('accounting-7d9f8c6b5-k2m4n', 'accounting', 0);
    crashed.status = { phase: 'Running', containerStatuses: [{ name: 'accounting', restartCount: 6 }] };
    objects.objects.set('shop/Pod/accounting-7d9f8c6b5-k2m4n', crashed);
    objects.objects.set(
      'shop/Pod/fulfillment-5c8d7b9f6-p3q8r',
      pod('fulfillment-5c8d7b9f6-p3q8r', 'fulfillment', 0),
    );
    const undo = await queuePoisonMessage.inject(
      contextFor(queuePoisonMessage, target, 'shop/Deployment/checkout'),
    );
    await undo.undo();
    expect(objects.calls.filter((c) => c.startsWith('delete'))).toEqual([
      'delete shop/Pod/accounting-7d9f8c6b5-k2m4n',
    ]);
  });

  it('changes nothing when Redis does not answer before the change', async () => {
    const redis = new StreamRedis();
    redis.command = () => Promise.reject(new Error('redis 10.96.0.20:6379: connect ECONNREFUSED'));
    const target = { ...shopTarget(shop), redis };
    const err = await injectError(
      queuePoisonMessage,
      contextFor(queuePoisonMessage, target, 'shop/Deployment/checkout'),
    );
    expect(err.message).toBe('redis 10.96.0.20:6379: connect ECONNREFUSED');
    expect(target.objects.calls).toEqual([]);
  });

  it('changes the value in place when the config names a format already', async () => {
    const target = shopTarget(shop);
    const cm = shop.get('shop/ConfigMap/checkout-config');
    cm.data = { 'config.json': '{\n  "logLevel": "info",\n  "orderEventFormat": "v1"\n}\n' };
    target.objects.objects.set('shop/ConfigMap/checkout-config', asLive(cm, 90));
    await queuePoisonMessage.inject(contextFor(queuePoisonMessage, target, 'shop/Deployment/checkout'));
    expect((await target.objects.get('ConfigMap', 'shop', 'checkout-config'))?.data).toEqual({
      'config.json': '{\n  "logLevel": "info",\n  "orderEventFormat": "v2"\n}\n',
    });
  });

  it('writes the JSON out whole when the file’s layout allows no one-line edit', async () => {
    const target = shopTarget(shop);
    const cm = shop.get('shop/ConfigMap/checkout-config');
    cm.data = { 'config.json': '{"logLevel":"info"}' };
    target.objects.objects.set('shop/ConfigMap/checkout-config', asLive(cm, 90));
    await queuePoisonMessage.inject(contextFor(queuePoisonMessage, target, 'shop/Deployment/checkout'));
    expect((await target.objects.get('ConfigMap', 'shop', 'checkout-config'))?.data).toEqual({
      'config.json': '{\n  "logLevel": "info",\n  "orderEventFormat": "v2"\n}\n',
    });
  });

  it.each([
    ['refused', false, 'failed'],
    ['taken but unanswered', true, 'reply lost'],
  ])(
    'when the rollout after the edit is %s, restores the ConfigMap and the Deployment',
    async (_, landed, note) => {
      const objects = new FailingObjects(2, landed);
      const target = shopTarget(shop, objects);
      const err = await injectError(
        queuePoisonMessage,
        contextFor(queuePoisonMessage, target, 'shop/Deployment/checkout'),
      );
      expect(err).toBe(objects.error);
      expect(objects.calls).toEqual([
        'apply shop/ConfigMap/checkout-config',
        `apply shop/Deployment/checkout (${note})`,
        'apply shop/ConfigMap/checkout-config',
        'apply shop/Deployment/checkout',
      ]);
      await expectShopUnchanged(objects);
    },
  );

  it('refuses a Deployment that publishes no order events, naming the one that does', async () => {
    const target = shopTarget(shop);
    const err = await injectError(
      queuePoisonMessage,
      contextFor(queuePoisonMessage, target, 'shop/Deployment/accounting'),
    );
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err.message).toBe(
      'shop/Deployment/accounting runs accounting, which publishes no order events (its config has no orderEventFormat); target the Deployment that publishes to the order stream: shop/Deployment/checkout',
    );
    expect(target.objects.calls).toEqual([]);
  });

  it('refuses a Deployment that runs no shop service', async () => {
    const target = shopTarget(shop);
    const err = await injectError(
      queuePoisonMessage,
      contextFor(queuePoisonMessage, target, 'shop/Deployment/redis'),
    );
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err.message).toMatch(/^shop\/Deployment\/redis runs no shop service/);
    expect(target.objects.calls).toEqual([]);
  });

  it('refuses a producer whose ConfigMap is gone, or that says v2 already, changing nothing', async () => {
    const gone = shopTarget(shop);
    gone.objects.objects.delete('shop/ConfigMap/checkout-config');
    const err = await injectError(
      queuePoisonMessage,
      contextFor(queuePoisonMessage, gone, 'shop/Deployment/checkout'),
    );
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err.message).toBe(
      'shop/Deployment/checkout reads no ConfigMap shop/ConfigMap/checkout-config, so its event format cannot be changed; its config file must come from that ConfigMap',
    );
    expect(gone.objects.calls).toEqual([]);

    const v2 = shopTarget(shop);
    const cm = shop.get('shop/ConfigMap/checkout-config');
    cm.data = { 'config.json': '{ "orderEventFormat": "v2" }' };
    v2.objects.objects.set('shop/ConfigMap/checkout-config', asLive(cm, 91));
    const again = await injectError(
      queuePoisonMessage,
      contextFor(queuePoisonMessage, v2, 'shop/Deployment/checkout'),
    );
    expect(again).toBeInstanceOf(InvalidInputError);
    expect(again.message).toBe(
      'ConfigMap shop/ConfigMap/checkout-config already sets orderEventFormat to "v2", so this fault would change nothing; reset the environment first',
    );
    expect(v2.objects.calls).toEqual([]);
  });

  itRefusesMissingTarget(queuePoisonMessage, () => shop, 'shop/Deployment/orders');
});
