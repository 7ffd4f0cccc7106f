import { InvalidInputError } from '../../errors/invalid-input-error.js';
import type { KubeObject } from '../../kube/kube-object.js';
import { asDeployment } from '../../kube/typed-objects.js';
import { MemoryObjects } from '../testing/fake-target.js';
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
import {
  APPLY_CONTENT_TYPE,
  APPLY_QUERY,
  runOverApiServer,
} from '../../../tests/fixtures/faults/api-server-kit.js';
import { itRefusesMissingTarget } from '../../../tests/fixtures/faults/rollout-contract.js';
import { hpaMisconfig } from './hpa-misconfig.js';
import { substratesProviding } from '../../substrates/registry.js';

const deploy = (name: string) => ({ namespace: 'shop', kind: 'Deployment', name });
const DEFAULTS = { maxReplicas: 1, minReplicas: 1, cpuUtilization: 80 };

/** The autoscaler an operator would write for the frontend (`kubectl autoscale` names it the same). */
function frontendHpa(name = 'frontend', target = 'frontend', max = 1, min = 1, cpu = 80): KubeObject {
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: {
      name,
      namespace: 'shop',
      labels: {
        'app.kubernetes.io/name': 'frontend',
        'app.kubernetes.io/part-of': 'shop',
        'app.kubernetes.io/component': 'frontend',
      },
    },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: target },
      minReplicas: min,
      maxReplicas: max,
      metrics: [
        {
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: cpu } },
        },
      ],
    },
  };
}

/** What the HPA controller does once the autoscaler exists: it scales the Deployment down to maxReplicas. */
async function autoscale(objects: MemoryObjects, replicas: number): Promise<void> {
  const d = asDeployment(objects.objects.get('shop/Deployment/frontend'));
  if (!d?.spec) throw new Error('no frontend Deployment in the fixture');
  d.spec.replicas = replicas;
  d.metadata.generation = (d.metadata.generation ?? 1) + 1;
}

/** Deleting the autoscaler fails, as when the API server is briefly unavailable. */
class FailingHpaDeletes extends MemoryObjects {
  readonly error = new Error('the server is currently unable to handle the request');
  override async delete(kind: string, namespace: string | undefined, name: string): Promise<boolean> {
    if (kind !== 'HorizontalPodAutoscaler') return super.delete(kind, namespace, name);
    this.calls.push(`delete ${namespace}/${kind}/${name} (failed)`);
    throw this.error;
  }
}

describe('hpa-misconfig', () => {
  let shop: ShopObjects;
  beforeAll(async () => {
    shop = await loadShopObjects();
  });

  it('targets Deployments on Kubernetes only', () => {
    expect(hpaMisconfig.targetKinds).toEqual(['Deployment']);
    expect(substratesProviding(hpaMisconfig.needs)).toEqual(['kind', 'kubeconfig']);
  });

  it('caps at one replica by default, on an 80 % CPU target', () => {
    expect(hpaMisconfig.params.parse({})).toEqual(DEFAULTS);
    expect(hpaMisconfig.params.parse({ maxReplicas: 3, minReplicas: 2, cpuUtilization: 50 })).toEqual({
      maxReplicas: 3,
      minReplicas: 2,
      cpuUtilization: 50,
    });
  });

  it.each([
    [{ maxReplicas: 0 }, 'maxReplicas: Too small: expected number to be >=1'],
    [{ maxReplicas: 1.5 }, 'maxReplicas: Invalid input: expected int, received number'],
    [{ minReplicas: 2 }, 'minReplicas: must not be above maxReplicas'],
    [{ cpuUtilization: 0 }, 'cpuUtilization: Too small: expected number to be >=1'],
    [{ replicas: 1 }, '(params): Unrecognized key: "replicas"'],
  ])('refuses params %j naming the problem', (params, problem) => {
    expect(paramProblems(hpaMisconfig, params)).toEqual([problem]);
  });

  it('names the autoscaler (not the Deployment it scaled) as the root cause', () => {
    expect(hpaMisconfig.groundTruth(deploy('frontend'), DEFAULTS)).toEqual([
      'shop/HorizontalPodAutoscaler/frontend',
    ]);
  });

  it('expects the autoscaler to sit at its maximum', () => {
    expect(hpaMisconfig.expectedAlerts(deploy('frontend'), DEFAULTS)).toEqual(['KubeHpaMaxedOut']);
  });

  it('creates the autoscaler; undo deletes it and then restores the replicas it took', async () => {
    const target = shopTarget(shop);
    const undo = await hpaMisconfig.inject(contextFor(hpaMisconfig, target, 'shop/Deployment/frontend'));
    expect(await target.objects.get('HorizontalPodAutoscaler', 'shop', 'frontend')).toStrictEqual(
      frontendHpa(),
    );
    expect(target.objects.calls).toEqual(['apply shop/HorizontalPodAutoscaler/frontend']);
    expect(undo.description).toBe(
      'delete HorizontalPodAutoscaler shop/HorizontalPodAutoscaler/frontend and restore Deployment shop/Deployment/frontend',
    );

    await autoscale(target.objects, 1);
    await undo.undo();
    expect(target.objects.calls).toEqual([
      'apply shop/HorizontalPodAutoscaler/frontend',
      'delete shop/HorizontalPodAutoscaler/frontend',
      'apply shop/Deployment/frontend',
    ]);
    expect(await target.objects.get('HorizontalPodAutoscaler', 'shop', 'frontend')).toBeUndefined();
    expect(withoutServerFields(await target.objects.get('Deployment', 'shop', 'frontend'))).toStrictEqual(
      shop.get('shop/Deployment/frontend'),
    );
  });

  it('writes the given bounds and CPU target', async () => {
    const target = shopTarget(shop);
    const spec = asDeployment(target.objects.objects.get('shop/Deployment/frontend'))?.spec;
    if (!spec) throw new Error('no frontend Deployment in the fixture');
    spec.replicas = 4;
    await hpaMisconfig.inject(
      contextFor(hpaMisconfig, target, 'shop/Deployment/frontend', {
        maxReplicas: 2,
        minReplicas: 2,
        cpuUtilization: 60,
      }),
    );
    expect(await target.objects.get('HorizontalPodAutoscaler', 'shop', 'frontend')).toStrictEqual(
      frontendHpa('frontend', 'frontend', 2, 2, 60),
    );
  });

  it.each([
    [
      'cart',
      {},
      'shop/Deployment/cart runs 1 replica(s), not more than maxReplicas 1, so the autoscaler would scale nothing down; target a Deployment with more replicas or lower maxReplicas',
    ],
    [
      'frontend',
      { maxReplicas: 2 },
      'shop/Deployment/frontend runs 2 replica(s), not more than maxReplicas 2, so the autoscaler would scale nothing down; target a Deployment with more replicas or lower maxReplicas',
    ],
  ])('refuses %s with %j, where the cap changes nothing', async (name, params, message) => {
    const target = shopTarget(shop);
    const err = await injectError(
      hpaMisconfig,
      contextFor(hpaMisconfig, target, `shop/Deployment/${name}`, params),
    );
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err.message).toBe(message);
    expect(target.objects.calls).toEqual([]);
  });

  it.each([
    ['another autoscaler of the Deployment', frontendHpa('frontend-cpu', 'frontend', 6, 2), 'frontend-cpu'],
    ['an autoscaler of that name', frontendHpa('frontend', 'frontend-v2', 6, 2), 'frontend'],
  ])('refuses when %s exists, changing nothing', async (_, existing, name) => {
    const target = shopTarget(shop);
    target.objects.objects.set(`shop/HorizontalPodAutoscaler/${name}`, asLive(existing, 90));
    const err = await injectError(hpaMisconfig, contextFor(hpaMisconfig, target, 'shop/Deployment/frontend'));
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err.message).toBe(
      `shop/HorizontalPodAutoscaler/${name} already exists for shop/Deployment/frontend; remove it or target another Deployment`,
    );
    expect(target.objects.calls).toEqual([]);
  });

  itRefusesMissingTarget(hpaMisconfig, () => shop, 'shop/Deployment/frontends');

  it('deletes the autoscaler and restores the Deployment when creating it failed after the server took it', async () => {
    const objects = new FailingObjects(1, true);
    const target = shopTarget(shop, objects);
    const err = await injectError(hpaMisconfig, contextFor(hpaMisconfig, target, 'shop/Deployment/frontend'));
    expect(err).toBe(objects.error);
    expect(objects.calls).toEqual([
      'apply shop/HorizontalPodAutoscaler/frontend (reply lost)',
      'delete shop/HorizontalPodAutoscaler/frontend',
      'apply shop/Deployment/frontend',
    ]);
    expect(await objects.get('HorizontalPodAutoscaler', 'shop', 'frontend')).toBeUndefined();
    expect(withoutServerFields(await objects.get('Deployment', 'shop', 'frontend'))).toStrictEqual(
      shop.get('shop/Deployment/frontend'),
    );
  });

  it('still restores the Deployment when deleting the autoscaler fails, then reports that failure', async () => {
    const objects = new FailingHpaDeletes();
    const target = shopTarget(shop, objects);
    const undo = await hpaMisconfig.inject(contextFor(hpaMisconfig, target, 'shop/Deployment/frontend'));
    await autoscale(objects, 1);
    await expect(undo.undo()).rejects.toBe(objects.error);
    expect(objects.calls).toEqual([
      'apply shop/HorizontalPodAutoscaler/frontend',
      'delete shop/HorizontalPodAutoscaler/frontend (failed)',
      'apply shop/Deployment/frontend',
    ]);
    expect(withoutServerFields(await objects.get('Deployment', 'shop', 'frontend'))).toStrictEqual(
      shop.get('shop/Deployment/frontend'),
    );
  });

  it('through the API server: applies the autoscaler; undo deletes it, then applies the saved Deployment', async () => {
    const run = await runOverApiServer(hpaMisconfig, shop, 'shop/Deployment/frontend');
    const hpaPath = '/apis/autoscaling/v2/namespaces/shop/horizontalpodautoscalers/frontend';
    expect(run.inject).toEqual([
      { call: `PATCH ${hpaPath}?${APPLY_QUERY}`, contentType: APPLY_CONTENT_TYPE, body: frontendHpa() },
    ]);
    expect(run.undo).toEqual([
      { call: `DELETE ${hpaPath}?propagationPolicy=Background`, contentType: undefined, body: undefined },
      {
        call: `PATCH /apis/apps/v1/namespaces/shop/deployments/frontend?${APPLY_QUERY}`,
        contentType: APPLY_CONTENT_TYPE,
        body: shop.get('shop/Deployment/frontend'),
      },
    ]);
    expect(withoutServerFields(run.during.get('HorizontalPodAutoscaler/shop/frontend'))).toStrictEqual(
      frontendHpa(),
    );
    expect(run.after.has('HorizontalPodAutoscaler/shop/frontend')).toBe(false);
  });
});
