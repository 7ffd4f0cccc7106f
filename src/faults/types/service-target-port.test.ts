import { InvalidInputError } from '../../errors/invalid-input-error.js';
import { asLive } from '../../../tests/fixtures/faults/fault-kit.js';
import { objectKey, type KubeObject, type ServicePort } from '../../kube/kube-object.js';
import { asService } from '../../kube/typed-objects.js';
import {
  contextFor,
  injectError,
  loadShopObjects,
  paramProblems,
  shopTarget,
  withoutServerFields,
  type ShopObjects,
} from '../../../tests/fixtures/faults/fault-kit.js';
import {
  APPLY_CONTENT_TYPE,
  APPLY_QUERY,
  runOverApiServer,
} from '../../../tests/fixtures/faults/api-server-kit.js';
import {
  itRefusesMissingTarget,
  itRestoresAfterLostReply,
} from '../../../tests/fixtures/faults/rollout-contract.js';
import { serviceTargetPort } from './service-target-port.js';
import { substratesProviding } from '../../substrates/registry.js';

/** A Service's ports: every shop Service declares some. */
function ports(svc: KubeObject): ServicePort[] {
  const declared = asService(svc)?.spec?.ports;
  if (!declared) throw new Error(`${objectKey(svc)} declares no ports`);
  return declared;
}
const service = (name: string) => ({ namespace: 'shop', kind: 'Service', name });

describe('service-target-port', () => {
  let shop: ShopObjects;
  beforeAll(async () => {
    shop = await loadShopObjects();
  });

  /** The cart Service with a second port, `metrics` 9464 → 9464, as the server would return it. */
  function cartWithTwoPorts(): KubeObject {
    const svc = shop.get('shop/Service/cart');
    ports(svc).push({ name: 'metrics', port: 9464, targetPort: 9464, protocol: 'TCP' });
    return svc;
  }

  it('targets Services on Kubernetes only', () => {
    expect(serviceTargetPort.targetKinds).toEqual(['Service']);
    expect(substratesProviding(serviceTargetPort.needs)).toEqual(['kind', 'kubeconfig']);
  });

  it('by default sends the first port to 8081; the port may be named or numbered', () => {
    expect(serviceTargetPort.params.parse({})).toEqual({ targetPort: 8081 });
    expect(serviceTargetPort.params.parse({ port: 'http', targetPort: 9000 })).toEqual({
      port: 'http',
      targetPort: 9000,
    });
    expect(serviceTargetPort.params.parse({ port: 8080 })).toEqual({ port: 8080, targetPort: 8081 });
  });

  it.each([
    [{ targetPort: 0 }, 'targetPort: Too small: expected number to be >=1'],
    [{ targetPort: 65536 }, 'targetPort: Too big: expected number to be <=65535'],
    [{ targetPort: 80.5 }, 'targetPort: Invalid input: expected int, received number'],
    [{ targetPort: 'http' }, 'targetPort: Invalid input: expected number, received string'],
    [{ port: '' }, 'port: Too small: expected string to have >=1 characters'],
    [{ port: 0 }, 'port: Too small: expected number to be >=1'],
    [{ port: true }, 'port: must be a port name or a port number 1-65535'],
    [{ ports: 'http' }, '(params): Unrecognized key: "ports"'],
  ])('refuses params %j naming the problem', (params, problem) => {
    expect(paramProblems(serviceTargetPort, params)).toEqual([problem]);
  });

  it('names the Service as the root cause', () => {
    expect(serviceTargetPort.groundTruth(service('cart'), { targetPort: 8081 })).toEqual([
      'shop/Service/cart',
    ]);
  });

  it.each([
    ['cart', 'ShopDependencyErrors'],
    ['payment', 'ShopDependencyErrors'],
    ['redis', 'ShopRedisCommandErrors'],
    ['frontend', 'ShopFrontendTrafficDrop'],
  ])('expects for the %s Service: %s', (name, alert) => {
    expect(serviceTargetPort.expectedAlerts(service(name), { targetPort: 8081 })).toEqual([alert]);
  });

  it('changes only the targetPort of the first port, and undo restores the manifest', async () => {
    const target = shopTarget(shop);
    const undo = await serviceTargetPort.inject(contextFor(serviceTargetPort, target, 'shop/Service/cart'));
    const expected = shop.get('shop/Service/cart');
    ports(expected)[0] = { name: 'http', port: 8080, targetPort: 8081, protocol: 'TCP' };
    expect(await target.objects.get('Service', 'shop', 'cart')).toStrictEqual(expected);
    expect(target.objects.calls).toEqual(['apply shop/Service/cart']);

    await undo.undo();
    expect(target.objects.calls).toEqual(['apply shop/Service/cart', 'apply shop/Service/cart']);
    expect(withoutServerFields(await target.objects.get('Service', 'shop', 'cart'))).toStrictEqual(
      shop.get('shop/Service/cart'),
    );
  });

  it('changes the Redis Service too (its port is named redis)', async () => {
    const target = shopTarget(shop);
    await serviceTargetPort.inject(
      contextFor(serviceTargetPort, target, 'shop/Service/redis', { port: 'redis', targetPort: 6380 }),
    );
    const expected = shop.get('shop/Service/redis');
    ports(expected)[0].targetPort = 6380;
    expect(await target.objects.get('Service', 'shop', 'redis')).toStrictEqual(expected);
  });

  it.each([
    ['by name', 'metrics'],
    ['by number', 9464],
  ])('picks the port %s and leaves the others alone', async (_how, port) => {
    const target = shopTarget(shop);
    target.objects.objects.set('shop/Service/cart', asLive(cartWithTwoPorts(), 1));
    await serviceTargetPort.inject(contextFor(serviceTargetPort, target, 'shop/Service/cart', { port }));
    const expected = cartWithTwoPorts();
    ports(expected)[1].targetPort = 8081;
    expect(withoutServerFields(await target.objects.get('Service', 'shop', 'cart'))).toStrictEqual(expected);
  });

  it.each([
    [
      { port: 'grpc' },
      'Service shop/Service/cart has no port "grpc"; its ports: http (8080), metrics (9464)',
    ],
    [{ port: 80 }, 'Service shop/Service/cart has no port 80; its ports: http (8080), metrics (9464)'],
    [{ port: 'metrics', targetPort: 9464 }, 'port metrics of Service shop/Service/cart already targets 9464'],
    [
      { targetPort: 8080 },
      'targetPort 8080 is container port "http" of Deployment shop/cart, which Service shop/Service/cart selects, so the Service would keep working; choose a port nothing listens on',
    ],
  ])('refuses %j, changing nothing', async (params, message) => {
    const target = shopTarget(shop);
    target.objects.objects.set('shop/Service/cart', asLive(cartWithTwoPorts(), 1));
    const err = await injectError(
      serviceTargetPort,
      contextFor(serviceTargetPort, target, 'shop/Service/cart', params),
    );
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err.message).toBe(message);
    expect(target.objects.calls).toEqual([]);
  });

  itRefusesMissingTarget(serviceTargetPort, () => shop, 'shop/Service/carts', {
    title: 'refuses a Service that does not exist, changing nothing',
  });

  itRestoresAfterLostReply(serviceTargetPort, () => shop, 'shop/Service/payment', {
    title: 'puts the Service back when the apply failed after the server took it',
  });

  it('through the API server: one server-side apply of the changed Service, one of the saved copy', async () => {
    // A Service as the API server returns it carries its allocated cluster IPs; the restore sends them back.
    const live = shop.get('shop/Service/cart');
    const spec = asService(live)?.spec;
    if (!spec) throw new Error('no cart Service in the fixture');
    spec.clusterIP = '10.96.12.34';
    spec.clusterIPs = ['10.96.12.34'];
    const run = await runOverApiServer(serviceTargetPort, shop, 'shop/Service/cart', {}, [live]);
    const path = `PATCH /api/v1/namespaces/shop/services/cart?${APPLY_QUERY}`;
    const changed = structuredClone(live);
    ports(changed)[0].targetPort = 8081;
    expect(run.inject).toEqual([{ call: path, contentType: APPLY_CONTENT_TYPE, body: changed }]);
    expect(run.undo).toEqual([{ call: path, contentType: APPLY_CONTENT_TYPE, body: live }]);
    expect(withoutServerFields(run.after.get('Service/shop/cart'))).toStrictEqual(live);
  });
});
