import { InvalidInputError } from '../../errors/invalid-input-error.js';
import { objectKey } from '../../kube/kube-object.js';
import {
  contextFor,
  declaredResources,
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
import { cpuLimitThrottle } from './cpu-limit-throttle.js';
import { substratesProviding } from '../../substrates/registry.js';

const deploy = (name: string) => ({ namespace: 'shop', kind: 'Deployment', name });

describe('cpu-limit-throttle', () => {
  let shop: ShopObjects;
  beforeAll(async () => {
    shop = await loadShopObjects();
  });

  it('targets Deployments on Kubernetes only', () => {
    expect(cpuLimitThrottle.targetKinds).toEqual(['Deployment']);
    expect(substratesProviding(cpuLimitThrottle.needs)).toEqual(['kind', 'kubeconfig']);
  });

  it('defaults the limit to 50m and takes millicores or cores', () => {
    expect(cpuLimitThrottle.params.parse({})).toEqual({ limit: '50m' });
    expect(cpuLimitThrottle.params.parse({ limit: '0.05', container: 'frontend' })).toEqual({
      limit: '0.05',
      container: 'frontend',
    });
    expect(cpuLimitThrottle.params.parse({ limit: '1' })).toEqual({ limit: '1' });
  });

  it.each([
    [{ limit: '50Mi' }, 'limit: must be a CPU quantity like 50m or 0.05'],
    [{ limit: '.5' }, 'limit: must be a CPU quantity like 50m or 0.05'],
    [{ limit: '-10m' }, 'limit: must be a CPU quantity like 50m or 0.05'],
    [{ limit: '0m' }, 'limit: must be above 0'],
    [{ limit: '0.0' }, 'limit: must be above 0'],
    [{ limit: 0.05 }, 'limit: Invalid input: expected string, received number'],
    [{ limit: '50m', memory: '1Gi' }, '(params): Unrecognized key: "memory"'],
  ])('refuses params %j naming the problem', (params, problem) => {
    expect(paramProblems(cpuLimitThrottle, params)).toEqual([problem]);
  });

  it('names the Deployment as the root cause and expects high latency', () => {
    expect(cpuLimitThrottle.groundTruth(deploy('frontend'), { limit: '50m' })).toEqual([
      'shop/Deployment/frontend',
    ]);
    expect(cpuLimitThrottle.expectedAlerts(deploy('frontend'), { limit: '50m' })).toEqual([
      'ShopHighLatencyP95',
    ]);
  });

  it('sets the CPU limit, leaves a request below it alone, and undo restores the manifest', async () => {
    const target = shopTarget(shop);
    const undo = await cpuLimitThrottle.inject(
      contextFor(cpuLimitThrottle, target, 'shop/Deployment/frontend'),
    );
    const expected = shop.get('shop/Deployment/frontend');
    expect(declaredResources(expected)).toEqual({
      requests: { cpu: '20m', memory: '64Mi' },
      limits: { cpu: '500m', memory: '192Mi' },
    });
    declaredResources(expected).limits.cpu = '50m';
    expect(await target.objects.get('Deployment', 'shop', 'frontend')).toStrictEqual(expected);
    expect(target.objects.calls).toEqual(['apply shop/Deployment/frontend']);

    await undo.undo();
    expect(target.objects.calls).toEqual([
      'apply shop/Deployment/frontend',
      'apply shop/Deployment/frontend',
    ]);
    expect(withoutServerFields(await target.objects.get('Deployment', 'shop', 'frontend'))).toStrictEqual(
      shop.get('shop/Deployment/frontend'),
    );
  });

  it.each([['10m'], ['0.015']])(
    'lowers a request above the new limit %s to it (the API server would refuse the object otherwise)',
    async (limit) => {
      const target = shopTarget(shop);
      const undo = await cpuLimitThrottle.inject(
        contextFor(cpuLimitThrottle, target, 'shop/Deployment/catalog', { limit }),
      );
      const expected = shop.get('shop/Deployment/catalog');
      expect(declaredResources(expected).requests.cpu).toBe('20m');
      declaredResources(expected).limits.cpu = limit;
      declaredResources(expected).requests.cpu = limit;
      expect(await target.objects.get('Deployment', 'shop', 'catalog')).toStrictEqual(expected);
      await undo.undo();
      expect(withoutServerFields(await target.objects.get('Deployment', 'shop', 'catalog'))).toStrictEqual(
        shop.get('shop/Deployment/catalog'),
      );
    },
  );

  it('leaves a request equal to the new limit alone', async () => {
    const target = shopTarget(shop);
    await cpuLimitThrottle.inject(
      contextFor(cpuLimitThrottle, target, 'shop/Deployment/catalog', { limit: '0.02' }),
    );
    const expected = shop.get('shop/Deployment/catalog');
    declaredResources(expected).limits.cpu = '0.02';
    expect(await target.objects.get('Deployment', 'shop', 'catalog')).toStrictEqual(expected);
  });

  it('adds a limit to a container that had no resources', async () => {
    const target = shopTarget(shop);
    const live = await target.objects.get('Deployment', 'shop', 'shipping');
    if (!live) throw new Error('no shipping in the fixture');
    delete firstContainer(live).resources;
    target.objects.objects.set(objectKey(live), live);
    await cpuLimitThrottle.inject(contextFor(cpuLimitThrottle, target, 'shop/Deployment/shipping'));
    const applied = await target.objects.get('Deployment', 'shop', 'shipping');
    expect(applied && firstContainer(applied).resources).toStrictEqual({ limits: { cpu: '50m' } });
  });

  it.each([['500m'], ['0.5'], ['2']])(
    'refuses a limit of %s, not below the current 500m, writing nothing',
    async (limit) => {
      const target = shopTarget(shop);
      const err = await injectError(
        cpuLimitThrottle,
        contextFor(cpuLimitThrottle, target, 'shop/Deployment/frontend', { limit }),
      );
      expect(err).toBeInstanceOf(InvalidInputError);
      expect(err.message).toBe(
        `the CPU limit ${limit} is not below the current limit 500m of container frontend of Deployment shop/frontend`,
      );
      expect(target.objects.calls).toEqual([]);
    },
  );

  itRefusesMissingContainer(cpuLimitThrottle, () => shop, 'shop/Deployment/frontend', 'envoy', ['frontend']);

  itRefusesMissingTarget(cpuLimitThrottle, () => shop, 'shop/Deployment/front');

  itRestoresAfterLostReply(cpuLimitThrottle, () => shop, 'shop/Deployment/frontend');

  itAppliesOverApiServer(
    cpuLimitThrottle,
    () => shop,
    'shop/Deployment/catalog',
    (d) => {
      declaredResources(d).limits.cpu = '10m';
      declaredResources(d).requests.cpu = '10m';
    },
    { params: { limit: '10m' } },
  );
});
