import { pino } from 'pino';
import { InvalidInputError } from '../../errors/invalid-input-error.js';
import type { KubeObject } from '../../kube/kube-object.js';
import {
  asLive,
  contextFor,
  FailingObjects,
  firstContainer,
  injectError,
  loadShopObjects,
  paramProblems,
  shopTarget,
  templateSpec,
  withoutServerFields,
  type ShopObjects,
} from '../../../tests/fixtures/faults/fault-kit.js';
import {
  APPLY_CONTENT_TYPE,
  APPLY_QUERY,
  runOverApiServer,
} from '../../../tests/fixtures/faults/api-server-kit.js';
import { MemoryObjects } from '../testing/fake-target.js';
import { secretCorruption } from './secret-corruption.js';
import { substratesProviding } from '../../substrates/registry.js';

const PASSWORD = 'firedrill-redis-3c1e';
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const CART_POD = 'cart-5f6d7c8b9-h8j2k';
const DEFAULTS = { key: 'password', restart: true };
const secret = (name: string) => ({ namespace: 'shop', kind: 'Secret', name });

/** A pod of a Deployment, as its ReplicaSet would have started it. */
function pod(name: string, app: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'shop',
      labels: { 'app.kubernetes.io/name': app, 'app.kubernetes.io/part-of': 'shop' },
    },
    spec: { containers: [{ name: app, image: app === 'redis' ? 'redis:7.0.15' : 'acme/shop:0.1.0' }] },
  };
}

/** The redis-auth Secret as an API server returns it: stringData is write-only, the value sits in data. */
function serverSecret(shop: ShopObjects): KubeObject {
  const s = shop.get('shop/Secret/redis-auth');
  delete s.stringData;
  s.data = { password: b64(PASSWORD) };
  return s;
}

describe('secret-corruption', () => {
  let shop: ShopObjects;
  beforeAll(async () => {
    shop = await loadShopObjects();
  });

  /** The shop with the Secret in its server form and a running Redis pod beside cart's. */
  function liveShop(objects?: MemoryObjects) {
    const target = shopTarget(shop, objects);
    target.objects.objects.set('shop/Secret/redis-auth', asLive(serverSecret(shop), 90));
    target.objects.objects.set(
      'shop/Pod/redis-7d9f8b6c5-r4t6y',
      asLive(pod('redis-7d9f8b6c5-r4t6y', 'redis'), 91),
    );
    return target;
  }

  it('targets Secrets on Kubernetes only', () => {
    expect(secretCorruption.targetKinds).toEqual(['Secret']);
    expect(substratesProviding(secretCorruption.needs)).toEqual(['kind', 'kubeconfig']);
  });

  it('by default appends a newline to the password and restarts its readers', () => {
    expect(secretCorruption.params.parse({})).toEqual(DEFAULTS);
    expect(secretCorruption.params.parse({ key: 'token', value: 'rotated', restart: false })).toEqual({
      key: 'token',
      value: 'rotated',
      restart: false,
    });
  });

  it.each([
    [{ key: 'pass word' }, 'key: must be a Secret key (letters, digits, -, _ and .)'],
    [{ key: '' }, 'key: must be a Secret key (letters, digits, -, _ and .)'],
    [{ value: 42 }, 'value: Invalid input: expected string, received number'],
    [{ restart: 'yes' }, 'restart: Invalid input: expected boolean, received string'],
    [{ password: 'x' }, '(params): Unrecognized key: "password"'],
  ])('refuses params %j naming the problem', (params, problem) => {
    expect(paramProblems(secretCorruption, params)).toEqual([problem]);
  });

  it('names the Secret (not the workloads that read it) as the root cause', () => {
    expect(secretCorruption.groundTruth(secret('redis-auth'), DEFAULTS)).toEqual(['shop/Secret/redis-auth']);
  });

  it('expects the callers of the unready readers to fail, and the readers to be unready', () => {
    expect(secretCorruption.expectedAlerts(secret('redis-auth'), DEFAULTS)).toEqual([
      'ShopDependencyErrors',
      'KubePodNotReady',
    ]);
  });

  it('changes the value, restarts cart but not Redis; undo restores the Secret and restarts cart again', async () => {
    const target = liveShop();
    const undo = await secretCorruption.inject(
      contextFor(secretCorruption, target, 'shop/Secret/redis-auth'),
    );
    const expected = serverSecret(shop);
    expected.data = { password: b64(`${PASSWORD}\n`) };
    expect(await target.objects.get('Secret', 'shop', 'redis-auth')).toStrictEqual(expected);
    expect(target.objects.calls).toEqual(['apply shop/Secret/redis-auth', `delete shop/Pod/${CART_POD}`]);
    expect(await target.objects.get('Pod', 'shop', 'redis-7d9f8b6c5-r4t6y')).toBeDefined();

    // The ReplicaSet has started a replacement, which holds the wrong value.
    target.objects.objects.set('shop/Pod/cart-5f6d7c8b9-n3w9q', pod('cart-5f6d7c8b9-n3w9q', 'cart'));
    await undo.undo();
    expect(target.objects.calls.slice(2)).toEqual([
      'apply shop/Secret/redis-auth',
      'delete shop/Pod/cart-5f6d7c8b9-n3w9q',
    ]);
    expect(withoutServerFields(await target.objects.get('Secret', 'shop', 'redis-auth'))).toStrictEqual(
      serverSecret(shop),
    );
  });

  it('moves a key given in stringData to data; undo puts the stringData back', async () => {
    const target = shopTarget(shop);
    const undo = await secretCorruption.inject(
      contextFor(secretCorruption, target, 'shop/Secret/redis-auth', { value: 'firedrill-redis-4d2f' }),
    );
    const expected = shop.get('shop/Secret/redis-auth');
    delete expected.stringData;
    expected.data = { password: b64('firedrill-redis-4d2f') };
    expect(await target.objects.get('Secret', 'shop', 'redis-auth')).toStrictEqual(expected);
    await undo.undo();
    expect(withoutServerFields(await target.objects.get('Secret', 'shop', 'redis-auth'))).toStrictEqual(
      shop.get('shop/Secret/redis-auth'),
    );
  });

  it('with restart false changes the Secret alone', async () => {
    const target = liveShop();
    const undo = await secretCorruption.inject(
      contextFor(secretCorruption, target, 'shop/Secret/redis-auth', { value: '', restart: false }),
    );
    const expected = serverSecret(shop);
    expected.data = { password: '' };
    expect(await target.objects.get('Secret', 'shop', 'redis-auth')).toStrictEqual(expected);
    await undo.undo();
    expect(target.objects.calls).toEqual(['apply shop/Secret/redis-auth', 'apply shop/Secret/redis-auth']);
  });

  it('never writes the values to the log or the undo description', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'debug' }, { write: (l: string) => void lines.push(l) });
    const target = liveShop();
    const ctx = { ...contextFor(secretCorruption, target, 'shop/Secret/redis-auth'), logger };
    const undo = await secretCorruption.inject(ctx);
    await undo.undo();
    expect(lines.length).toBeGreaterThan(0);
    for (const text of [...lines, undo.description]) {
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toContain(b64(PASSWORD));
      expect(text).not.toContain(b64(`${PASSWORD}\n`));
    }
  });

  it.each([
    [{ key: 'token' }, 'Secret shop/Secret/redis-auth has no key "token"; its keys: password'],
    [
      { value: PASSWORD },
      'value is what key "password" of Secret shop/Secret/redis-auth holds already; nothing would change',
    ],
  ])('refuses %j, changing nothing and showing no value', async (params, message) => {
    const target = liveShop();
    const err = await injectError(
      secretCorruption,
      contextFor(secretCorruption, target, 'shop/Secret/redis-auth', params),
    );
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err.message).toBe(message);
    expect(target.objects.calls).toEqual([]);
  });

  it('refuses an immutable Secret, changing nothing', async () => {
    const target = liveShop();
    target.objects.objects.set('shop/Secret/redis-auth', {
      ...asLive(serverSecret(shop), 90),
      immutable: true,
    });
    const err = await injectError(
      secretCorruption,
      contextFor(secretCorruption, target, 'shop/Secret/redis-auth'),
    );
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err.message).toBe(
      'Secret shop/Secret/redis-auth is immutable; the API server refuses changes to its data',
    );
    expect(target.objects.calls).toEqual([]);
  });

  it('refuses a Secret only Redis reads (with restart), changing nothing', async () => {
    const target = liveShop();
    // Redis' clients (cart, checkout, the order consumers) read their password from elsewhere: only Redis
    // reads the Secret now.
    for (const d of shop.all) {
      if (d.kind !== 'Deployment' || d.metadata.namespace !== 'shop' || d.metadata.name === 'redis') continue;
      const id = `shop/Deployment/${d.metadata.name}`;
      const client = shop.get(id);
      const env = firstContainer(client).env ?? [];
      const i = env.findIndex((e) => e.name === 'REDIS_PASSWORD');
      if (i < 0) continue;
      env.splice(i, 1);
      target.objects.objects.set(id, asLive(client, 92));
    }
    const err = await injectError(
      secretCorruption,
      contextFor(secretCorruption, target, 'shop/Secret/redis-auth'),
    );
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err.message).toBe(
      'no Deployment in namespace shop reads key "password" of Secret shop/Secret/redis-auth (Redis is never restarted), so the change would break nothing; set restart: false to change the Secret alone',
    );
    expect(target.objects.calls).toEqual([]);
  });

  it('finds readers through envFrom and volumes as well', async () => {
    const target = liveShop();
    const payment = shop.get('shop/Deployment/payment');
    firstContainer(payment).envFrom = [{ secretRef: { name: 'redis-auth' } }];
    target.objects.objects.set('shop/Deployment/payment', asLive(payment, 93));
    const shipping = shop.get('shop/Deployment/shipping');
    const s = templateSpec(shipping);
    s.volumes = [...(s.volumes ?? []), { name: 'creds', secret: { secretName: 'redis-auth' } }];
    target.objects.objects.set('shop/Deployment/shipping', asLive(shipping, 94));
    target.objects.objects.set(
      'shop/Pod/shipping-7f8e9d6c5-k2l3m',
      pod('shipping-7f8e9d6c5-k2l3m', 'shipping'),
    );
    await secretCorruption.inject(contextFor(secretCorruption, target, 'shop/Secret/redis-auth'));
    expect(target.objects.calls).toEqual([
      'apply shop/Secret/redis-auth',
      `delete shop/Pod/${CART_POD}`,
      'delete shop/Pod/payment-6b7c9d8f4-7rtzw',
      'delete shop/Pod/payment-6b7c9d8f4-bq4lm',
      'delete shop/Pod/payment-6b7c9d8f4-x2k9p',
      'delete shop/Pod/shipping-7f8e9d6c5-k2l3m',
    ]);
  });

  it('refuses a Secret that does not exist, changing nothing', async () => {
    const target = liveShop();
    const err = await injectError(
      secretCorruption,
      contextFor(secretCorruption, target, 'shop/Secret/redis-password'),
    );
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err.message).toBe('fault target shop/Secret/redis-password does not exist');
    expect(target.objects.calls).toEqual([]);
  });

  it('restores the Secret, restarting nothing, when the apply failed after the server took it', async () => {
    const objects = new FailingObjects(1, true);
    const target = liveShop(objects);
    const err = await injectError(
      secretCorruption,
      contextFor(secretCorruption, target, 'shop/Secret/redis-auth'),
    );
    expect(err).toBe(objects.error);
    expect(objects.calls).toEqual([
      'apply shop/Secret/redis-auth (reply lost)',
      'apply shop/Secret/redis-auth',
    ]);
    expect(withoutServerFields(await objects.get('Secret', 'shop', 'redis-auth'))).toStrictEqual(
      serverSecret(shop),
    );
  });

  it('restores the Secret and restarts the readers again when a restart failed', async () => {
    class FailingDelete extends MemoryObjects {
      deletes = 0;
      readonly error = new Error('pods "cart-5f6d7c8b9-h8j2k" is forbidden');
      override async delete(kind: string, namespace: string | undefined, name: string): Promise<boolean> {
        if (++this.deletes === 1) {
          // The reply was lost after the pod was deleted, and its ReplicaSet started a replacement.
          await super.delete(kind, namespace, name);
          this.objects.set('shop/Pod/cart-5f6d7c8b9-n3w9q', pod('cart-5f6d7c8b9-n3w9q', 'cart'));
          throw this.error;
        }
        return super.delete(kind, namespace, name);
      }
    }
    const objects = new FailingDelete();
    const target = liveShop(objects);
    const err = await injectError(
      secretCorruption,
      contextFor(secretCorruption, target, 'shop/Secret/redis-auth'),
    );
    expect(err).toBe(objects.error);
    expect(objects.calls).toEqual([
      'apply shop/Secret/redis-auth',
      `delete shop/Pod/${CART_POD}`,
      'apply shop/Secret/redis-auth',
      'delete shop/Pod/cart-5f6d7c8b9-n3w9q',
    ]);
    expect(withoutServerFields(await objects.get('Secret', 'shop', 'redis-auth'))).toStrictEqual(
      serverSecret(shop),
    );
  });

  it('through the API server: applies the changed Secret and deletes cart pods; undo applies the saved copy', async () => {
    const live = serverSecret(shop);
    const run = await runOverApiServer(secretCorruption, shop, 'shop/Secret/redis-auth', {}, [
      live,
      pod('redis-7d9f8b6c5-r4t6y', 'redis'),
    ]);
    const path = `PATCH /api/v1/namespaces/shop/secrets/redis-auth?${APPLY_QUERY}`;
    const changed = serverSecret(shop);
    changed.data = { password: b64(`${PASSWORD}\n`) };
    const deleteCart = {
      call: `DELETE /api/v1/namespaces/shop/pods/${CART_POD}?propagationPolicy=Background`,
      contentType: undefined,
      body: undefined,
    };
    expect(run.inject).toEqual([{ call: path, contentType: APPLY_CONTENT_TYPE, body: changed }, deleteCart]);
    expect(withoutServerFields(run.during.get('Secret/shop/redis-auth'))).toStrictEqual(changed);
    // No pod came back in the fake, so the undo finds none to restart.
    expect(run.undo).toEqual([{ call: path, contentType: APPLY_CONTENT_TYPE, body: live }]);
    expect(withoutServerFields(run.after.get('Secret/shop/redis-auth'))).toStrictEqual(live);
    expect(run.after.has('Pod/shop/redis-7d9f8b6c5-r4t6y')).toBe(true);
  });
});
