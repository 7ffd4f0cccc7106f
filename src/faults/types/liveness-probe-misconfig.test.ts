import { InvalidInputError } from '../../errors/invalid-input-error.js';
import { objectKey, type KubeObject, type Probe } from '../../kube/kube-object.js';
import {
  contextFor,
  firstContainer,
  injectError,
  loadShopObjects,
  paramProblems,
  shopTarget,
  withoutServerFields,
  type ShopObjects,
} from '../../../tests/fixtures/faults/fault-kit.js';
import {
  itAppliesOverApiServer,
  itRefusesMissingContainer,
  itRefusesMissingTarget,
  itRestoresAfterLostReply,
} from '../../../tests/fixtures/faults/rollout-contract.js';
import { livenessProbeMisconfig } from './liveness-probe-misconfig.js';
import { substratesProviding } from '../../substrates/registry.js';

/** The first container's liveness probe: every shop service has one. */
function liveness(d: KubeObject): Probe {
  const probe = firstContainer(d).livenessProbe;
  if (!probe) throw new Error(`${objectKey(d)} has no liveness probe`);
  return probe;
}
const deploy = (name: string) => ({ namespace: 'shop', kind: 'Deployment', name });

describe('liveness-probe-misconfig', () => {
  let shop: ShopObjects;
  beforeAll(async () => {
    shop = await loadShopObjects();
  });

  it('targets Deployments on Kubernetes only', () => {
    expect(livenessProbeMisconfig.targetKinds).toEqual(['Deployment']);
    expect(substratesProviding(livenessProbeMisconfig.needs)).toEqual(['kind', 'kubeconfig']);
  });

  it('takes a path, a port and a timeout, all optional', () => {
    expect(livenessProbeMisconfig.params.parse({})).toEqual({});
    expect(livenessProbeMisconfig.params.parse({ path: '/live', port: 'admin', timeoutSeconds: 1 })).toEqual({
      path: '/live',
      port: 'admin',
      timeoutSeconds: 1,
    });
  });

  it.each([
    [{ path: 'health' }, 'path: must be an absolute HTTP path like /ready'],
    [{ port: -1 }, 'port: must be a port number 1-65535 or a port name like http'],
    [{ port: 'a-very-long-port-name' }, 'port: must be a port number 1-65535 or a port name like http'],
    [{ timeoutSeconds: 0 }, 'timeoutSeconds: Too small: expected number to be >=1'],
    [{ timeoutSeconds: 61 }, 'timeoutSeconds: Too big: expected number to be <=60'],
    [{ timeoutSeconds: 1.5 }, 'timeoutSeconds: Invalid input: expected int, received number'],
    [{ periodSeconds: 1 }, '(params): Unrecognized key: "periodSeconds"'],
  ])('refuses params %j naming the problem', (params, problem) => {
    expect(paramProblems(livenessProbeMisconfig, params)).toEqual([problem]);
  });

  it('names the Deployment as the root cause and expects a crash loop', () => {
    expect(livenessProbeMisconfig.groundTruth(deploy('cart'), {})).toEqual(['shop/Deployment/cart']);
    expect(livenessProbeMisconfig.expectedAlerts(deploy('cart'), {})).toEqual(['KubePodCrashLooping']);
  });

  it('points the probe at /health by default, and undo restores the manifest', async () => {
    const target = shopTarget(shop);
    const undo = await livenessProbeMisconfig.inject(
      contextFor(livenessProbeMisconfig, target, 'shop/Deployment/cart'),
    );
    const expected = shop.get('shop/Deployment/cart');
    expect(liveness(expected).httpGet).toEqual({ path: '/healthz', port: 'http' });
    liveness(expected).httpGet = { path: '/health', port: 'http' };
    expect(await target.objects.get('Deployment', 'shop', 'cart')).toStrictEqual(expected);
    expect(target.objects.calls).toEqual(['apply shop/Deployment/cart']);

    await undo.undo();
    expect(target.objects.calls).toEqual(['apply shop/Deployment/cart', 'apply shop/Deployment/cart']);
    expect(withoutServerFields(await target.objects.get('Deployment', 'shop', 'cart'))).toStrictEqual(
      shop.get('shop/Deployment/cart'),
    );
  });

  it('changes only the port (and the timeout) when given', async () => {
    const target = shopTarget(shop);
    await livenessProbeMisconfig.inject(
      contextFor(livenessProbeMisconfig, target, 'shop/Deployment/cart', { port: 8081, timeoutSeconds: 1 }),
    );
    const expected = shop.get('shop/Deployment/cart');
    expect(liveness(expected).timeoutSeconds).toBe(2);
    liveness(expected).httpGet = { path: '/healthz', port: 8081 };
    liveness(expected).timeoutSeconds = 1;
    expect(await target.objects.get('Deployment', 'shop', 'cart')).toStrictEqual(expected);
  });

  it('sets the timeout along with the default path when no path or port is given', async () => {
    const target = shopTarget(shop);
    await livenessProbeMisconfig.inject(
      contextFor(livenessProbeMisconfig, target, 'shop/Deployment/shipping', { timeoutSeconds: 1 }),
    );
    const expected = shop.get('shop/Deployment/shipping');
    liveness(expected).httpGet = { path: '/health', port: 'http' };
    liveness(expected).timeoutSeconds = 1;
    expect(await target.objects.get('Deployment', 'shop', 'shipping')).toStrictEqual(expected);
  });

  it('moves a TCP check (Redis) to another port, and undo restores the manifest', async () => {
    const target = shopTarget(shop);
    const undo = await livenessProbeMisconfig.inject(
      contextFor(livenessProbeMisconfig, target, 'shop/Deployment/redis', { port: 6380 }),
    );
    const expected = shop.get('shop/Deployment/redis');
    expect(liveness(expected).tcpSocket).toEqual({ port: 'redis' });
    liveness(expected).tcpSocket = { port: 6380 };
    expect(await target.objects.get('Deployment', 'shop', 'redis')).toStrictEqual(expected);
    await undo.undo();
    expect(withoutServerFields(await target.objects.get('Deployment', 'shop', 'redis'))).toStrictEqual(
      shop.get('shop/Deployment/redis'),
    );
  });

  it.each([[{}], [{ path: '/health', port: 6380 }], [{ timeoutSeconds: 1 }]])(
    'refuses %j for a TCP check, which has no path, writing nothing',
    async (params) => {
      const target = shopTarget(shop);
      const err = await injectError(
        livenessProbeMisconfig,
        contextFor(livenessProbeMisconfig, target, 'shop/Deployment/redis', params),
      );
      expect(err).toBeInstanceOf(InvalidInputError);
      expect(err.message).toBe(
        'the liveness probe of container redis of Deployment shop/redis is a TCP check on port redis, which has no path; give a port only',
      );
      expect(target.objects.calls).toEqual([]);
    },
  );

  it.each([[{ path: '/healthz' }], [{ port: 6379 }, 'redis']])(
    'refuses %j, which changes nothing, writing nothing',
    async (params, name = 'cart') => {
      const target = shopTarget(shop);
      const err = await injectError(
        livenessProbeMisconfig,
        contextFor(livenessProbeMisconfig, target, `shop/Deployment/${name}`, params),
      );
      expect(err).toBeInstanceOf(InvalidInputError);
      expect(err.message).toBe(
        `the liveness probe of container ${name} of Deployment shop/${name} already checks that; nothing would change`,
      );
      expect(target.objects.calls).toEqual([]);
    },
  );

  it('refuses a container without a liveness probe, naming it, and writes nothing', async () => {
    const target = shopTarget(shop);
    const live = await target.objects.get('Deployment', 'shop', 'cart');
    if (!live) throw new Error('no cart in the fixture');
    delete firstContainer(live).livenessProbe;
    target.objects.objects.set(objectKey(live), live);
    const err = await injectError(
      livenessProbeMisconfig,
      contextFor(livenessProbeMisconfig, target, 'shop/Deployment/cart'),
    );
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err.message).toBe('container cart of Deployment shop/cart has no liveness probe to change');
    expect(target.objects.calls).toEqual([]);
  });

  itRefusesMissingContainer(livenessProbeMisconfig, () => shop, 'shop/Deployment/cart', 'redis', ['cart']);

  itRefusesMissingTarget(livenessProbeMisconfig, () => shop, 'shop/Deployment/carts');

  itRestoresAfterLostReply(livenessProbeMisconfig, () => shop, 'shop/Deployment/cart');

  itAppliesOverApiServer(
    livenessProbeMisconfig,
    () => shop,
    'shop/Deployment/cart',
    (d) => {
      liveness(d).httpGet = { path: '/healthz', port: 8081 };
    },
    { params: { port: 8081 } },
  );
});
