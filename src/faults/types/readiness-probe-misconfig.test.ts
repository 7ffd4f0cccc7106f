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
import { readinessProbeMisconfig } from './readiness-probe-misconfig.js';
import { substratesProviding } from '../../substrates/registry.js';

/** The first container's readiness probe: every shop service has one. */
function readiness(d: KubeObject): Probe {
  const probe = firstContainer(d).readinessProbe;
  if (!probe) throw new Error(`${objectKey(d)} has no readiness probe`);
  return probe;
}
/** Its HTTP check, which the fault repoints. */
function readinessGet(d: KubeObject): NonNullable<Probe['httpGet']> {
  const get = readiness(d).httpGet;
  if (!get) throw new Error(`the readiness probe of ${objectKey(d)} is not an HTTP check`);
  return get;
}
const deploy = (name: string) => ({ namespace: 'shop', kind: 'Deployment', name });

describe('readiness-probe-misconfig', () => {
  let shop: ShopObjects;
  beforeAll(async () => {
    shop = await loadShopObjects();
  });

  it('targets Deployments on Kubernetes only', () => {
    expect(readinessProbeMisconfig.targetKinds).toEqual(['Deployment']);
    expect(substratesProviding(readinessProbeMisconfig.needs)).toEqual(['kind', 'kubeconfig']);
  });

  it('takes a path, a port number or a port name, all optional', () => {
    expect(readinessProbeMisconfig.params.parse({})).toEqual({});
    expect(readinessProbeMisconfig.params.parse({ path: '/status', port: 8081 })).toEqual({
      path: '/status',
      port: 8081,
    });
    expect(readinessProbeMisconfig.params.parse({ container: 'catalog', port: 'metrics' })).toEqual({
      container: 'catalog',
      port: 'metrics',
    });
  });

  it.each([
    [{ path: 'ready' }, 'path: must be an absolute HTTP path like /ready'],
    [{ path: '/re ady' }, 'path: must be an absolute HTTP path like /ready'],
    [{ port: 0 }, 'port: must be a port number 1-65535 or a port name like http'],
    [{ port: 65536 }, 'port: must be a port number 1-65535 or a port name like http'],
    [{ port: 80.5 }, 'port: must be a port number 1-65535 or a port name like http'],
    [{ port: 'HTTP' }, 'port: must be a port number 1-65535 or a port name like http'],
    [{ port: 'web--ui' }, 'port: must be a port number 1-65535 or a port name like http'],
    [{ port: '8080' }, 'port: must be a port number 1-65535 or a port name like http'],
    [{ port: true }, 'port: must be a port number 1-65535 or a port name like http'],
    [{ timeoutSeconds: 1 }, '(params): Unrecognized key: "timeoutSeconds"'],
  ])('refuses params %j naming the problem', (params, problem) => {
    expect(paramProblems(readinessProbeMisconfig, params)).toEqual([problem]);
  });

  it('names the Deployment as the root cause and expects pods not ready', () => {
    expect(readinessProbeMisconfig.groundTruth(deploy('catalog'), {})).toEqual(['shop/Deployment/catalog']);
    expect(readinessProbeMisconfig.expectedAlerts(deploy('catalog'), {})).toEqual(['KubePodNotReady']);
  });

  it('points the probe at /ready by default, and undo restores the manifest', async () => {
    const target = shopTarget(shop);
    const undo = await readinessProbeMisconfig.inject(
      contextFor(readinessProbeMisconfig, target, 'shop/Deployment/catalog'),
    );
    const expected = shop.get('shop/Deployment/catalog');
    expect(readiness(expected).httpGet).toEqual({ path: '/readyz', port: 'http' });
    readinessGet(expected).path = '/ready';
    expect(await target.objects.get('Deployment', 'shop', 'catalog')).toStrictEqual(expected);
    expect(target.objects.calls).toEqual(['apply shop/Deployment/catalog']);

    await undo.undo();
    expect(target.objects.calls).toEqual(['apply shop/Deployment/catalog', 'apply shop/Deployment/catalog']);
    expect(withoutServerFields(await target.objects.get('Deployment', 'shop', 'catalog'))).toStrictEqual(
      shop.get('shop/Deployment/catalog'),
    );
  });

  it('changes only the port when only a port is given', async () => {
    const target = shopTarget(shop);
    await readinessProbeMisconfig.inject(
      contextFor(readinessProbeMisconfig, target, 'shop/Deployment/cart', { port: 8081 }),
    );
    const expected = shop.get('shop/Deployment/cart');
    readinessGet(expected).port = 8081;
    expect(await target.objects.get('Deployment', 'shop', 'cart')).toStrictEqual(expected);
  });

  it('sets both a path and a port name', async () => {
    const target = shopTarget(shop);
    await readinessProbeMisconfig.inject(
      contextFor(readinessProbeMisconfig, target, 'shop/Deployment/cart', {
        path: '/status',
        port: 'metrics',
      }),
    );
    const expected = shop.get('shop/Deployment/cart');
    readiness(expected).httpGet = { path: '/status', port: 'metrics' };
    expect(await target.objects.get('Deployment', 'shop', 'cart')).toStrictEqual(expected);
  });

  it.each([
    [{ path: '/readyz' }],
    // 8080 is the number of the port named http: the kubelet would check exactly what it checks now.
    [{ path: '/readyz', port: 8080 }],
    [{ path: '/readyz', port: 'http' }],
  ])('refuses %j, which changes nothing, writing nothing', async (params) => {
    const target = shopTarget(shop);
    const err = await injectError(
      readinessProbeMisconfig,
      contextFor(readinessProbeMisconfig, target, 'shop/Deployment/catalog', params),
    );
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err.message).toBe(
      'the readiness probe of container catalog of Deployment shop/catalog already checks that; nothing would change',
    );
    expect(target.objects.calls).toEqual([]);
  });

  it('refuses a container without a readiness probe, naming it, and writes nothing', async () => {
    const target = shopTarget(shop);
    const live = await target.objects.get('Deployment', 'shop', 'payment');
    if (!live) throw new Error('no payment in the fixture');
    delete firstContainer(live).readinessProbe;
    target.objects.objects.set(objectKey(live), live);
    const err = await injectError(
      readinessProbeMisconfig,
      contextFor(readinessProbeMisconfig, target, 'shop/Deployment/payment'),
    );
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err.message).toBe('container payment of Deployment shop/payment has no readiness probe to change');
    expect(target.objects.calls).toEqual([]);
    expect(await target.objects.get('Deployment', 'shop', 'payment')).toStrictEqual(live);
  });

  it('refuses a probe that runs a command (Redis), writing nothing', async () => {
    const target = shopTarget(shop);
    const err = await injectError(
      readinessProbeMisconfig,
      contextFor(readinessProbeMisconfig, target, 'shop/Deployment/redis', { port: 6380 }),
    );
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err.message).toBe(
      'the readiness probe of container redis of Deployment shop/redis runs a command; only HTTP and TCP probes can be pointed at another path or port',
    );
    expect(target.objects.calls).toEqual([]);
  });

  itRefusesMissingContainer(readinessProbeMisconfig, () => shop, 'shop/Deployment/cart', 'sidecar', ['cart']);

  itRefusesMissingTarget(readinessProbeMisconfig, () => shop, 'shop/Deployment/catalogue');

  itRestoresAfterLostReply(readinessProbeMisconfig, () => shop, 'shop/Deployment/catalog');

  itAppliesOverApiServer(
    readinessProbeMisconfig,
    () => shop,
    'shop/Deployment/catalog',
    (d) => {
      readinessGet(d).path = '/ready';
    },
    { params: { path: '/ready' } },
  );
});
