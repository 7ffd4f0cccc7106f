import { InvalidInputError } from '../../errors/invalid-input-error.js';
import type { KubeObject } from '../../kube/kube-object.js';
import { podTemplateOf } from '../../kube/pod-template.js';
import {
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
import { configCorruption } from './config-corruption.js';
import { substratesProviding } from '../../substrates/registry.js';

const RESTARTED_AT = 'kubectl.kubernetes.io/restartedAt';
function templateAnnotations(d: KubeObject | undefined): Record<string, string> {
  const annotations = podTemplateOf(d)?.metadata?.annotations;
  if (!annotations) throw new Error('the pod template has no annotations');
  return annotations;
}

describe('config-corruption', () => {
  let shop: ShopObjects;
  beforeAll(async () => {
    shop = await loadShopObjects();
  });

  async function expectShopUnchanged(objects: {
    get(kind: string, ns: string, name: string): Promise<KubeObject | undefined>;
  }): Promise<void> {
    for (const id of ['shop/ConfigMap/cart-config', 'shop/Deployment/cart', 'shop/Deployment/catalog']) {
      const [ns, kind, name] = id.split('/');
      expect(withoutServerFields(await objects.get(kind, ns, name))).toStrictEqual(shop.get(id));
    }
  }

  it('targets ConfigMaps on every substrate', () => {
    expect(configCorruption.targetKinds).toEqual(['ConfigMap']);
    expect(substratesProviding(configCorruption.needs)).toEqual(['local', 'kind', 'kubeconfig']);
  });

  it('by default truncates config.json and rolls out what mounts it', () => {
    expect(configCorruption.params.parse({})).toEqual({
      key: 'config.json',
      mode: 'truncate',
      restart: true,
    });
    expect(
      configCorruption.params.parse({ mode: 'set', path: 'timeoutsMs.payment', value: 1, restart: false }),
    ).toEqual({ key: 'config.json', mode: 'set', path: 'timeoutsMs.payment', value: 1, restart: false });
  });

  it.each([
    [{ mode: 'set', value: 1 }, 'path: mode "set" needs a path'],
    [{ mode: 'replace' }, 'mode: Invalid option: expected one of "truncate"|"set"'],
    [{ mode: 'set', path: 'a..b', value: 1 }, 'path: must be dot-separated keys, e.g. timeoutsMs.payment'],
    [
      { mode: 'set', path: '__proto__.polluted', value: 1 },
      'path: must not use __proto__, prototype or constructor as a key',
    ],
    [{ restart: 'yes' }, 'restart: Invalid input: expected boolean, received string'],
  ])('refuses params %j naming the problem', (params, problem) => {
    expect(paramProblems(configCorruption, params)).toEqual([problem]);
  });

  it('names the ConfigMap as the root cause and expects the crash-looping alert', () => {
    const ref = { namespace: 'shop', kind: 'ConfigMap', name: 'cart-config' };
    const p = configCorruption.params.parse({});
    expect(configCorruption.groundTruth(ref, p)).toEqual(['shop/ConfigMap/cart-config']);
    expect(configCorruption.expectedAlerts(ref, p)).toEqual(['KubePodCrashLooping']);
  });

  it.each([
    [{ mode: 'set', path: 'timeoutsMs.payment', value: 1 }, 'ShopDependencyErrors'],
    [{ mode: 'set', path: 'dependencies.payment', value: 'http://shipping:8080' }, 'ShopDependencyErrors'],
    [{ mode: 'set', path: 'providerLimitUsd', value: 50 }, 'ShopOrdersRejected'],
    [{ mode: 'set', path: 'providerLimitUsd', value: 150 }, 'ShopOrdersRejected'],
    [{ mode: 'set', path: 'providerLimitUsd', value: 1000 }, 'KubePodCrashLooping'],
    [{ mode: 'set', path: 'providerLimitUsd', value: -1 }, 'KubePodCrashLooping'],
    [{ mode: 'set', path: 'providerLimitUsd', value: '50' }, 'KubePodCrashLooping'],
    [{ mode: 'set', path: 'maxUnitsPerOrder', value: 2 }, 'ShopOrdersRejected'],
    [{ mode: 'set', path: 'maxUnitsPerOrder', value: 4 }, 'KubePodCrashLooping'],
    [{ mode: 'set', path: 'maxUnitsPerOrder', value: 0 }, 'KubePodCrashLooping'],
    [{ mode: 'set', path: 'maxUnitsPerOrder', value: 2.5 }, 'KubePodCrashLooping'],
    [{ mode: 'set', path: 'maxItems', value: 0 }, 'ShopOrdersRejected'],
    [{ mode: 'set', path: 'maxItems', value: 1 }, 'KubePodCrashLooping'],
    [{ mode: 'set', path: 'logLevel', value: 'loud' }, 'KubePodCrashLooping'],
  ])('expects for %j the alert %s', (params, alert) => {
    const ref = { namespace: 'shop', kind: 'ConfigMap', name: 'payment-config' };
    expect(configCorruption.expectedAlerts(ref, configCorruption.params.parse(params))).toEqual([alert]);
  });

  it('truncates the JSON, restarts the Deployment that mounts it, and undo restores the ConfigMap first', async () => {
    const target = shopTarget(shop);
    const started = Date.now();
    const undo = await configCorruption.inject(
      contextFor(configCorruption, target, 'shop/ConfigMap/cart-config'),
    );

    const cm = shop.get('shop/ConfigMap/cart-config');
    const original = cm.data?.['config.json'] ?? '';
    const cut = original.slice(0, Math.floor(original.length / 2));
    expect(() => JSON.parse(cut) as unknown).toThrow(SyntaxError);
    cm.data = { 'config.json': cut };
    expect(await target.objects.get('ConfigMap', 'shop', 'cart-config')).toStrictEqual(cm);

    // Only cart mounts cart-config; the rollout is a template annotation, as `kubectl rollout restart` makes.
    expect(target.objects.calls).toEqual(['apply shop/ConfigMap/cart-config', 'apply shop/Deployment/cart']);
    const rolled = await target.objects.get('Deployment', 'shop', 'cart');
    const at = templateAnnotations(rolled)[RESTARTED_AT];
    expect(Date.parse(at)).toBeGreaterThanOrEqual(Math.floor(started / 1000) * 1000);
    expect(Date.parse(at)).toBeLessThanOrEqual(Date.now());
    const expectedCart = shop.get('shop/Deployment/cart');
    templateAnnotations(expectedCart)[RESTARTED_AT] = at;
    expect(rolled).toStrictEqual(expectedCart);

    await undo.undo();
    // The good config is back before the Deployment rolls again, so the new pods start on it.
    expect(target.objects.calls.slice(2)).toEqual([
      'apply shop/ConfigMap/cart-config',
      'apply shop/Deployment/cart',
    ]);
    await expectShopUnchanged(target.objects);
  });

  it('with restart: false changes only the ConfigMap', async () => {
    const target = shopTarget(shop);
    const undo = await configCorruption.inject(
      contextFor(configCorruption, target, 'shop/ConfigMap/cart-config', { restart: false }),
    );
    expect(target.objects.calls).toEqual(['apply shop/ConfigMap/cart-config']);
    await undo.undo();
    expect(target.objects.calls).toEqual([
      'apply shop/ConfigMap/cart-config',
      'apply shop/ConfigMap/cart-config',
    ]);
    await expectShopUnchanged(target.objects);
  });

  it('in mode "set" edits one value at a dotted path in place, every other byte of the file kept', async () => {
    const target = shopTarget(shop);
    const before = (await target.objects.get('ConfigMap', 'shop', 'checkout-config'))?.data?.['config.json'];
    await configCorruption.inject(
      contextFor(configCorruption, target, 'shop/ConfigMap/checkout-config', {
        mode: 'set',
        path: 'timeoutsMs.payment',
        value: 1,
      }),
    );
    const cm = await target.objects.get('ConfigMap', 'shop', 'checkout-config');
    expect(before).toContain('"payment": 2000');
    expect(cm?.data?.['config.json']).toBe(before?.replace('"payment": 2000', '"payment": 1'));
    expect(JSON.parse(String(cm?.data?.['config.json']))).toEqual({
      logLevel: 'info',
      timeoutsMs: { cart: 2000, inventory: 2000, payment: 1, shipping: 2000, currency: 2000 },
      db: { poolMax: 5, acquireTimeoutMs: 1000, statementTimeoutMs: 2000 },
    });
    expect(target.objects.calls).toEqual([
      'apply shop/ConfigMap/checkout-config',
      'apply shop/Deployment/checkout',
    ]);
  });

  it('in mode "set" creates missing levels of the path', async () => {
    const target = shopTarget(shop);
    await configCorruption.inject(
      contextFor(configCorruption, target, 'shop/ConfigMap/payment-config', {
        mode: 'set',
        path: 'retries.charge',
        value: -1,
        restart: false,
      }),
    );
    const cm = await target.objects.get('ConfigMap', 'shop', 'payment-config');
    expect(JSON.parse(cm?.data?.['config.json'] ?? '')).toEqual({
      logLevel: 'info',
      providerLimitUsd: 5000,
      providerLatencyMs: 30,
      retries: { charge: -1 },
    });
  });

  it('refuses a key the ConfigMap does not have, naming the keys it has, and changes nothing', async () => {
    const target = shopTarget(shop);
    const err = await injectError(
      configCorruption,
      contextFor(configCorruption, target, 'shop/ConfigMap/cart-config', { key: 'settings.yaml' }),
    );
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err.message).toBe(
      'ConfigMap shop/ConfigMap/cart-config has no key "settings.yaml"; its keys: config.json',
    );
    expect(target.objects.calls).toEqual([]);
  });

  it('refuses mode "set" on a value that is not JSON, changing nothing', async () => {
    const target = shopTarget(shop);
    await target.objects.apply({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'motd', namespace: 'shop' },
      data: { 'config.json': 'welcome: yes' },
    });
    const err = await injectError(
      configCorruption,
      contextFor(configCorruption, target, 'shop/ConfigMap/motd', { mode: 'set', path: 'a', value: 1 }),
    );
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err.message).toBe(
      'key "config.json" of ConfigMap shop/ConfigMap/motd is not JSON, so mode "set" cannot edit it',
    );
    expect(target.objects.calls).toEqual(['apply shop/ConfigMap/motd']);
  });

  itRefusesMissingTarget(configCorruption, () => shop, 'shop/ConfigMap/cart');

  it.each([
    ['refused', false, 'failed'],
    ['taken but unanswered', true, 'reply lost'],
  ])(
    'when the rollout after the edit is %s, restores the ConfigMap and the Deployment',
    async (_, landed, note) => {
      const objects = new FailingObjects(2, landed);
      const target = shopTarget(shop, objects);
      const err = await injectError(
        configCorruption,
        contextFor(configCorruption, target, 'shop/ConfigMap/cart-config'),
      );
      expect(err).toBe(objects.error);
      expect(objects.calls).toEqual([
        'apply shop/ConfigMap/cart-config',
        `apply shop/Deployment/cart (${note})`,
        'apply shop/ConfigMap/cart-config',
        'apply shop/Deployment/cart',
      ]);
      await expectShopUnchanged(objects);
    },
  );

  it('undo still restores the Deployment when restoring the ConfigMap fails, and reports the failure', async () => {
    const objects = new FailingObjects(3);
    const target = shopTarget(shop, objects);
    const undo = await configCorruption.inject(
      contextFor(configCorruption, target, 'shop/ConfigMap/cart-config'),
    );
    await expect(undo.undo()).rejects.toBe(objects.error);
    expect(objects.calls.slice(2)).toEqual([
      'apply shop/ConfigMap/cart-config (failed)',
      'apply shop/Deployment/cart',
    ]);
    expect(withoutServerFields(await objects.get('Deployment', 'shop', 'cart'))).toStrictEqual(
      shop.get('shop/Deployment/cart'),
    );
    // Undo may be retried: the API works again and the ConfigMap comes back too.
    await undo.undo();
    await expectShopUnchanged(objects);
  });
});
