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
import { dnsMisconfig } from './dns-misconfig.js';
import { substratesProviding } from '../../substrates/registry.js';

/** The manifest with the pod template's DNS settings made by hand. */
function withDns(
  obj: KubeObject,
  nameserver = '10.96.0.99',
  searches = ['shop.svc.cluster.local', 'svc.cluster.local', 'cluster.local'],
): KubeObject {
  templateSpec(obj).dnsPolicy = 'None';
  templateSpec(obj).dnsConfig = {
    nameservers: [nameserver],
    searches,
    options: [{ name: 'ndots', value: '5' }],
  };
  return obj;
}

describe('dns-misconfig', () => {
  let shop: ShopObjects;
  beforeAll(async () => {
    shop = await loadShopObjects();
  });

  it('targets Deployments on Kubernetes only', () => {
    expect(dnsMisconfig.targetKinds).toEqual(['Deployment']);
    expect(substratesProviding(dnsMisconfig.needs)).toEqual(['kind', 'kubeconfig']);
  });

  it('defaults to a resolver at 10.96.0.99; search domains default from the namespace at inject', () => {
    expect(dnsMisconfig.params.parse({})).toEqual({ nameserver: '10.96.0.99' });
    expect(dnsMisconfig.params.parse({ nameserver: '192.168.0.53', searches: ['corp.example'] })).toEqual({
      nameserver: '192.168.0.53',
      searches: ['corp.example'],
    });
  });

  it.each([
    [{ nameserver: '10.96.0.256' }, 'nameserver: must be an IPv4 address'],
    [{ nameserver: 'kube-dns' }, 'nameserver: must be an IPv4 address'],
    [{ nameserver: '10.96.0.010' }, 'nameserver: must be an IPv4 address'],
    [{ nameserver: 'fd00::10' }, 'nameserver: must be an IPv4 address'],
    [{ nameserver: ['10.96.0.99'] }, 'nameserver: Invalid input: expected string, received array'],
    [{ searches: 'cluster.local' }, 'searches: Invalid input: expected array, received string'],
    [{ searches: ['Bad_Domain'] }, 'searches.0: must be a DNS domain'],
    [{ searches: ['a', 'b', 'c', 'd', 'e', 'f', 'g'] }, 'searches: at most 6 search domains'],
    [{ policy: 'None' }, '(params): Unrecognized key: "policy"'],
  ])('refuses params %j naming the problem', (params, problem) => {
    expect(paramProblems(dnsMisconfig, params)).toEqual([problem]);
  });

  it('names the Deployment as the root cause and expects its unready pod', () => {
    const ref = { namespace: 'shop', kind: 'Deployment', name: 'checkout' };
    const p = dnsMisconfig.params.parse({});
    expect(dnsMisconfig.groundTruth(ref, p)).toEqual(['shop/Deployment/checkout']);
    expect(dnsMisconfig.expectedAlerts(ref, p)).toEqual(['KubePodNotReady']);
  });

  it('rolls out the Deployment with only its DNS settings changed, and undo restores the manifest', async () => {
    const target = shopTarget(shop);
    const undo = await dnsMisconfig.inject(contextFor(dnsMisconfig, target, 'shop/Deployment/checkout'));

    const expected = withDns(shop.get('shop/Deployment/checkout'));
    expect(await target.objects.get('Deployment', 'shop', 'checkout')).toStrictEqual(expected);
    expect(target.objects.calls).toEqual(['apply shop/Deployment/checkout']);
    expect(undo.description).toBe('restore Deployment shop/Deployment/checkout');

    await undo.undo();
    expect(target.objects.calls).toEqual([
      'apply shop/Deployment/checkout',
      'apply shop/Deployment/checkout',
    ]);
    // dnsPolicy and dnsConfig are absent again, as in the manifest.
    const restored = withoutServerFields(await target.objects.get('Deployment', 'shop', 'checkout'));
    expect(restored).toStrictEqual(shop.get('shop/Deployment/checkout'));
    expect(restored && Object.keys(templateSpec(restored))).not.toContain('dnsPolicy');
  });

  it('uses the given nameserver and search domains', async () => {
    const target = shopTarget(shop);
    await dnsMisconfig.inject(
      contextFor(dnsMisconfig, target, 'shop/Deployment/frontend', {
        nameserver: '172.20.0.53',
        searches: ['corp.example'],
      }),
    );
    const expected = withDns(shop.get('shop/Deployment/frontend'), '172.20.0.53', ['corp.example']);
    expect(await target.objects.get('Deployment', 'shop', 'frontend')).toStrictEqual(expected);
  });

  it('replaces DNS settings the Deployment already had, and undo restores them exactly', async () => {
    const target = shopTarget(shop);
    const seeded = shop.get('shop/Deployment/cart');
    templateSpec(seeded).dnsPolicy = 'ClusterFirst';
    templateSpec(seeded).dnsConfig = {
      options: [{ name: 'ndots', value: '2' }, { name: 'single-request-reopen' }],
    };
    target.objects.objects.set('shop/Deployment/cart', asLive(seeded, 99));

    const undo = await dnsMisconfig.inject(contextFor(dnsMisconfig, target, 'shop/Deployment/cart'));
    expect(await target.objects.get('Deployment', 'shop', 'cart')).toStrictEqual(
      withDns(structuredClone(seeded)),
    );

    await undo.undo();
    expect(withoutServerFields(await target.objects.get('Deployment', 'shop', 'cart'))).toStrictEqual(seeded);
  });

  itAppliesOverApiServer(
    dnsMisconfig,
    () => shop,
    'shop/Deployment/checkout',
    (d) => withDns(d),
  );

  it.each(['payment', 'catalog', 'currency', 'shipping', 'redis'])(
    'refuses %s, whose readiness checks no dependency (its rollout would complete unnoticed), changing nothing',
    async (name) => {
      const target = shopTarget(shop);
      const err = await injectError(
        dnsMisconfig,
        contextFor(dnsMisconfig, target, `shop/Deployment/${name}`),
      );
      expect(err).toBeInstanceOf(InvalidInputError);
      expect(err.message).toBe(
        `shop/Deployment/${name} checks no dependency for readiness, so its pods would become ready without name resolution and the rollout would complete unnoticed; target frontend, checkout or cart`,
      );
      expect(target.objects.calls).toEqual([]);
    },
  );

  itRefusesMissingTarget(dnsMisconfig, () => shop, 'shop/Deployment/carts');

  itRestoresAfterLostReply(dnsMisconfig, () => shop, 'shop/Deployment/checkout');
});
