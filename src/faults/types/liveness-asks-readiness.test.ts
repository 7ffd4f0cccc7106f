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
import { livenessAsksReadiness } from './liveness-asks-readiness.js';
import { substratesProviding } from '../../substrates/registry.js';

function liveness(d: KubeObject): Probe {
  const probe = firstContainer(d).livenessProbe;
  if (!probe) throw new Error(`${objectKey(d)} has no liveness probe`);
  return probe;
}
const deploy = (name: string) => ({ namespace: 'shop', kind: 'Deployment', name });

describe('liveness-asks-readiness', () => {
  let shop: ShopObjects;
  beforeAll(async () => {
    shop = await loadShopObjects();
  });

  it('targets Deployments on every substrate: both kubelets run liveness probes on a path the container serves', () => {
    expect(livenessAsksReadiness.targetKinds).toEqual(['Deployment']);
    expect(substratesProviding(livenessAsksReadiness.needs)).toEqual(['local', 'kind', 'kubeconfig']);
  });

  it('takes an optional container and nothing else', () => {
    expect(livenessAsksReadiness.params.parse({})).toEqual({});
    expect(paramProblems(livenessAsksReadiness, { path: '/readyz' })).toEqual([
      '(params): Unrecognized key: "path"',
    ]);
  });

  it('names the Deployment and expects nothing of its own: it is silent until a dependency fails', () => {
    expect(livenessAsksReadiness.groundTruth(deploy('checkout'), {})).toEqual(['shop/Deployment/checkout']);
    expect(livenessAsksReadiness.expectedAlerts(deploy('checkout'), {})).toEqual([]);
  });

  it("asks the readiness probe's path and port, keeps the liveness probe's timing, and undo restores the manifest", async () => {
    const target = shopTarget(shop);
    const undo = await livenessAsksReadiness.inject(
      contextFor(livenessAsksReadiness, target, 'shop/Deployment/checkout'),
    );
    const expected = shop.get('shop/Deployment/checkout');
    const c = firstContainer(expected);
    expect(liveness(expected).httpGet).toEqual({ path: '/healthz', port: 'http' });
    liveness(expected).httpGet = { ...c.readinessProbe?.httpGet, port: 'http', path: '/readyz' };
    expect(await target.objects.get('Deployment', 'shop', 'checkout')).toStrictEqual(expected);

    await undo.undo();
    expect(withoutServerFields(await target.objects.get('Deployment', 'shop', 'checkout'))).toStrictEqual(
      shop.get('shop/Deployment/checkout'),
    );
  });

  it('refuses a container without an HTTP readiness probe (Redis checks a TCP port), writing nothing', async () => {
    const target = shopTarget(shop);
    const err = await injectError(
      livenessAsksReadiness,
      contextFor(livenessAsksReadiness, target, 'shop/Deployment/redis'),
    );
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err.message).toBe(
      'container redis of Deployment shop/redis has no HTTP readiness probe for its liveness probe to ask',
    );
    expect(target.objects.calls).toEqual([]);
  });

  it('refuses a liveness probe that already asks the readiness check, writing nothing', async () => {
    const target = shopTarget(shop);
    await livenessAsksReadiness.inject(contextFor(livenessAsksReadiness, target, 'shop/Deployment/cart'));
    const calls = target.objects.calls.length;
    const err = await injectError(
      livenessAsksReadiness,
      contextFor(livenessAsksReadiness, target, 'shop/Deployment/cart'),
    );
    expect(err.message).toBe(
      'the liveness probe of container cart of Deployment shop/cart already asks its readiness check; nothing would change',
    );
    expect(target.objects.calls).toHaveLength(calls);
  });

  itRefusesMissingContainer(livenessAsksReadiness, () => shop, 'shop/Deployment/cart', 'redis', ['cart']);

  itRefusesMissingTarget(livenessAsksReadiness, () => shop, 'shop/Deployment/carts');

  itRestoresAfterLostReply(livenessAsksReadiness, () => shop, 'shop/Deployment/cart');

  itAppliesOverApiServer(
    livenessAsksReadiness,
    () => shop,
    'shop/Deployment/checkout',
    (d) => {
      liveness(d).httpGet = { path: '/readyz', port: 'http' };
    },
  );
});

describe('liveness-asks-readiness as a precondition', () => {
  it('changes the manifests the app is deployed with as it changes the running Deployment, and nothing else', async () => {
    const shop = await loadShopObjects();
    const manifests = shop.all.map((o) => structuredClone(o));
    const before = manifests.map((o) => JSON.stringify(o));
    livenessAsksReadiness.asDeployed?.(manifests, deploy('checkout'), {});
    const changed = manifests.filter((o, i) => JSON.stringify(o) !== before[i]);
    expect(changed.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['Deployment/checkout']);
    expect(liveness(changed[0]).httpGet).toEqual({ path: '/readyz', port: 'http' });
  });

  it('refuses a Deployment the manifests do not have', async () => {
    const manifests = (await loadShopObjects()).all.map((o) => structuredClone(o));
    expect(() => livenessAsksReadiness.asDeployed?.(manifests, deploy('billing'), {})).toThrow(
      "the app's manifests have no Deployment shop/Deployment/billing",
    );
  });
});
