import { InvalidInputError } from '../../errors/invalid-input-error.js';
import type { KubeObject } from '../../kube/kube-object.js';
import {
  asLive,
  contextFor,
  injectError,
  loadShopObjects,
  paramProblems,
  shopTarget,
  templateSpec,
  withoutServerFields,
  type ShopObjects,
} from '../../../tests/fixtures/faults/fault-kit.js';
import {
  itAppliesOverApiServer,
  itRefusesMissingTarget,
  itRestoresAfterLostReply,
} from '../../../tests/fixtures/faults/rollout-contract.js';
import { pvcMissing } from './pvc-missing.js';
import { substratesProviding } from '../../substrates/registry.js';

const deploy = (name: string) => ({ namespace: 'shop', kind: 'Deployment', name });

/** The manifest's Deployment with the claim's volume added and mounted by hand. */
function withClaim(d: KubeObject, claimName: string, mountPath: string): KubeObject {
  const spec = templateSpec(d);
  spec.volumes = [...(spec.volumes ?? []), { name: claimName, persistentVolumeClaim: { claimName } }];
  const c = spec.containers[0];
  c.volumeMounts = [...(c.volumeMounts ?? []), { name: claimName, mountPath }];
  return d;
}

describe('pvc-missing', () => {
  let shop: ShopObjects;
  beforeAll(async () => {
    shop = await loadShopObjects();
  });

  it('targets Deployments on Kubernetes only', () => {
    expect(pvcMissing.targetKinds).toEqual(['Deployment']);
    expect(substratesProviding(pvcMissing.needs)).toEqual(['kind', 'kubeconfig']);
  });

  it('needs no params: claim, mount path and container default from the target', () => {
    expect(pvcMissing.params.parse({})).toEqual({});
    expect(pvcMissing.params.parse({ claimName: 'orders', mountPath: '/data', container: 'cart' })).toEqual({
      claimName: 'orders',
      mountPath: '/data',
      container: 'cart',
    });
  });

  it.each([
    [{ claimName: 'Cart_Data' }, 'claimName: must be a DNS-1123 label, e.g. cart-data'],
    [{ claimName: 'c'.repeat(64) }, 'claimName: Too big: expected string to have <=63 characters'],
    [{ mountPath: 'var/lib/cart' }, 'mountPath: must be an absolute path without ":"'],
    [{ mountPath: '/data:rw' }, 'mountPath: must be an absolute path without ":"'],
    [{ size: '1Gi' }, '(params): Unrecognized key: "size"'],
  ])('refuses params %j naming the problem', (params, problem) => {
    expect(paramProblems(pvcMissing, params)).toEqual([problem]);
  });

  it('names the Deployment as the root cause and expects its new pod to stay Pending', () => {
    expect(pvcMissing.groundTruth(deploy('catalog'), {})).toEqual(['shop/Deployment/catalog']);
    expect(pvcMissing.expectedAlerts(deploy('catalog'), {})).toEqual(['KubePodPending']);
  });

  it('adds the volume and its mount; undo restores the manifest', async () => {
    const target = shopTarget(shop);
    const undo = await pvcMissing.inject(contextFor(pvcMissing, target, 'shop/Deployment/catalog'));
    expect(await target.objects.get('Deployment', 'shop', 'catalog')).toStrictEqual(
      withClaim(shop.get('shop/Deployment/catalog'), 'catalog-data', '/var/lib/catalog'),
    );
    expect(target.objects.calls).toEqual(['apply shop/Deployment/catalog']);
    expect(undo.description).toBe('restore Deployment shop/Deployment/catalog');

    await undo.undo();
    expect(target.objects.calls).toEqual(['apply shop/Deployment/catalog', 'apply shop/Deployment/catalog']);
    expect(withoutServerFields(await target.objects.get('Deployment', 'shop', 'catalog'))).toStrictEqual(
      shop.get('shop/Deployment/catalog'),
    );
  });

  it('uses the given claim name and mount path', async () => {
    const target = shopTarget(shop);
    await pvcMissing.inject(
      contextFor(pvcMissing, target, 'shop/Deployment/redis', { claimName: 'redis-aof', mountPath: '/aof' }),
    );
    expect(await target.objects.get('Deployment', 'shop', 'redis')).toStrictEqual(
      withClaim(shop.get('shop/Deployment/redis'), 'redis-aof', '/aof'),
    );
  });

  it('refuses a claim that exists (it would not be missing), changing nothing', async () => {
    const target = shopTarget(shop);
    const pvc: KubeObject = {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'catalog-data', namespace: 'shop' },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
    };
    target.objects.objects.set('shop/PersistentVolumeClaim/catalog-data', asLive(pvc, 90));
    const err = await injectError(pvcMissing, contextFor(pvcMissing, target, 'shop/Deployment/catalog'));
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err.message).toBe(
      'shop/PersistentVolumeClaim/catalog-data exists, so the claim would not be missing; name a claim that does not exist',
    );
    expect(target.objects.calls).toEqual([]);
  });

  it.each([
    [
      { claimName: 'config' },
      'shop/Deployment/catalog already has a volume named "config"; choose another claimName',
    ],
    [
      { mountPath: '/etc/shop' },
      'container "catalog" of shop/Deployment/catalog already mounts a volume at /etc/shop; choose another mountPath',
    ],
    [{ container: 'redis' }, 'Deployment shop/catalog has no container "redis"; its containers: catalog'],
  ])('refuses %j that the API server would reject or misplace, changing nothing', async (params, message) => {
    const target = shopTarget(shop);
    const err = await injectError(
      pvcMissing,
      contextFor(pvcMissing, target, 'shop/Deployment/catalog', params),
    );
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err.message).toBe(message);
    expect(target.objects.calls).toEqual([]);
  });

  itRefusesMissingTarget(pvcMissing, () => shop, 'shop/Deployment/catalogue');

  itRestoresAfterLostReply(pvcMissing, () => shop, 'shop/Deployment/catalog');

  itAppliesOverApiServer(
    pvcMissing,
    () => shop,
    'shop/Deployment/catalog',
    (d) => withClaim(d, 'catalog-data', '/var/lib/catalog'),
  );
});
