import { InvalidInputError } from '../../errors/invalid-input-error.js';
import { objectKey, type KubeObject } from '../../kube/kube-object.js';
import { asNode } from '../../kube/typed-objects.js';
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
import { nodeCordon } from './node-cordon.js';
import { substratesProviding } from '../../substrates/registry.js';

/** A kind worker as `kubectl get node -o yaml` shows it, minus the fields the server owns. */
function node(name: string, cidr: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: {
        'beta.kubernetes.io/arch': 'amd64',
        'beta.kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
      },
      annotations: {
        'kubeadm.alpha.kubernetes.io/cri-socket': 'unix:///run/containerd/containerd.sock',
        'node.alpha.kubernetes.io/ttl': '0',
        'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
      },
    },
    spec: { podCIDR: cidr, podCIDRs: [cidr], providerID: `kind://docker/kind/${name}` },
  };
}

const WORKER = node('kind-worker', '10.244.1.0/24');
const WORKER2 = node('kind-worker2', '10.244.2.0/24');

/** The node as the API server returns it: with the status its kubelet reports. */
function liveNode(n: KubeObject, ip: string): KubeObject {
  return {
    ...structuredClone(n),
    status: {
      addresses: [
        { type: 'InternalIP', address: ip },
        { type: 'Hostname', address: n.metadata.name },
      ],
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady' }],
    },
  };
}

/** A pod of a shop Deployment, placed on a node. */
function pod(app: string, name: string, nodeName: string, terminating = false): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'shop',
      labels: {
        'app.kubernetes.io/name': app,
        'app.kubernetes.io/part-of': 'shop',
        'pod-template-hash': '7d9f8c6b5',
      },
      ...(terminating ? { deletionTimestamp: '2025-01-01T00:00:30Z' } : {}),
    },
    spec: { nodeName, containers: [{ name: app, image: 'acme/shop:0.1.0' }] },
  };
}

const PLACED = [
  pod('shipping', 'shipping-7d9f8c6b5-k2m4p', 'kind-worker'),
  pod('shipping', 'shipping-7d9f8c6b5-q8w3z', 'kind-worker2'),
  pod('shipping', 'shipping-7d9f8c6b5-old01', 'kind-worker', true),
  pod('currency', 'currency-7d9f8c6b5-t5v6n', 'kind-worker'),
  pod('cart', 'cart-7d9f8c6b5-r9x2c', 'kind-worker'),
];
// What a drain of kind-worker evicts for [shipping, currency], in name order: not the pod on the other
// node, not the one already terminating, not cart's.
const EVICTED = ['currency-7d9f8c6b5-t5v6n', 'shipping-7d9f8c6b5-k2m4p'];

const EXTRA = [liveNode(WORKER, '172.18.0.3'), liveNode(WORKER2, '172.18.0.4'), ...PLACED];

/** The shop target plus the nodes and placed pods, as a cluster's API server would hold them. */
function clusterTarget(shop: ShopObjects, objects?: MemoryObjects) {
  const target = shopTarget(shop, objects);
  EXTRA.forEach((o, i) => target.objects.objects.set(objectKey(o), asLive(o, 500 + i)));
  return target;
}

const cordoned = (n: KubeObject): KubeObject => {
  const c = structuredClone(n);
  c.spec = { ...c.spec, unschedulable: true };
  return c;
};

/** Deleting a pod fails, as when the API server is briefly unavailable. */
class FailingPodDeletes extends MemoryObjects {
  readonly error = new Error('the server is currently unable to handle the request');
  override async delete(kind: string, namespace: string | undefined, name: string): Promise<boolean> {
    if (kind !== 'Pod') return super.delete(kind, namespace, name);
    this.calls.push(`delete ${namespace}/Pod/${name} (failed)`);
    throw this.error;
  }
}

describe('node-cordon', () => {
  let shop: ShopObjects;
  beforeAll(async () => {
    shop = await loadShopObjects();
  });

  it('targets Nodes on Kubernetes only', () => {
    expect(nodeCordon.targetKinds).toEqual(['Node']);
    expect(substratesProviding(nodeCordon.needs)).toEqual(['kind', 'kubeconfig']);
  });

  it('by default only cordons; evict names Deployments of the shop namespace', () => {
    expect(nodeCordon.params.parse({})).toEqual({ evict: [], namespace: 'shop' });
    expect(nodeCordon.params.parse({ evict: ['shipping'], namespace: 'staging' })).toEqual({
      evict: ['shipping'],
      namespace: 'staging',
    });
  });

  it.each([
    [{ evict: ['Shipping'] }, 'evict.0: must be a Deployment name'],
    [{ evict: 'shipping' }, 'evict: Invalid input: expected array, received string'],
    [{ evict: ['shipping', 'shipping'] }, 'evict: must not repeat a Deployment'],
    [{ namespace: 'Shop' }, 'namespace: must be a namespace name'],
    [{ drain: true }, '(params): Unrecognized key: "drain"'],
  ])('refuses params %j naming the problem', (params, problem) => {
    expect(paramProblems(nodeCordon, params)).toEqual([problem]);
  });

  it('names the Node as the root cause, not the evicted Deployments', () => {
    expect(
      nodeCordon.groundTruth(
        { kind: 'Node', name: 'kind-worker' },
        { evict: ['shipping'], namespace: 'shop' },
      ),
    ).toEqual(['Node/kind-worker']);
  });

  it.each([
    [[], ['KubePodPending']],
    [
      ['shipping', 'currency'],
      ['KubePodPending', 'ShopDependencyErrors'],
    ],
    [
      ['redis', 'frontend'],
      ['KubePodPending', 'ShopRedisCommandErrors', 'ShopFrontendTrafficDrop'],
    ],
  ])('expects for evict %j: %j', (evict, alerts) => {
    expect(
      nodeCordon.expectedAlerts({ kind: 'Node', name: 'kind-worker' }, { evict, namespace: 'shop' }),
    ).toEqual(alerts);
  });

  it("cordons the node and deletes the named Deployments' pods on it; undo uncordons it", async () => {
    const target = clusterTarget(shop);
    const undo = await nodeCordon.inject(
      contextFor(nodeCordon, target, 'Node/kind-worker', { evict: ['shipping', 'currency'] }),
    );
    expect(await target.objects.get('Node', undefined, 'kind-worker')).toStrictEqual(cordoned(WORKER));
    expect(target.objects.calls).toEqual([
      'apply Node/kind-worker',
      ...EVICTED.map((p) => `delete shop/Pod/${p}`),
    ]);
    expect(undo.description).toBe('restore Node kind-worker (uncordon)');

    await undo.undo();
    expect(target.objects.calls.slice(3)).toEqual(['apply Node/kind-worker']);
    expect(withoutServerFields(await target.objects.get('Node', undefined, 'kind-worker'))).toStrictEqual(
      WORKER,
    );
    // The other node and the pods not evicted are untouched.
    expect(await target.objects.get('Node', undefined, 'kind-worker2')).toStrictEqual(asLive(EXTRA[1], 501));
    const left = (await target.objects.list('Pod', 'shop')).map((p) => p.metadata.name);
    for (const p of PLACED) expect(left.includes(p.metadata.name)).toBe(!EVICTED.includes(p.metadata.name));
  });

  it('with nothing to evict only cordons', async () => {
    const target = clusterTarget(shop);
    await nodeCordon.inject(contextFor(nodeCordon, target, 'Node/kind-worker2'));
    expect(target.objects.calls).toEqual(['apply Node/kind-worker2']);
    expect(await target.objects.get('Node', undefined, 'kind-worker2')).toStrictEqual(cordoned(WORKER2));
  });

  it('refuses a node that is already cordoned, changing nothing', async () => {
    const target = clusterTarget(shop);
    target.objects.objects.set('Node/kind-worker', asLive(liveNode(cordoned(WORKER), '172.18.0.3'), 600));
    const err = await injectError(
      nodeCordon,
      contextFor(nodeCordon, target, 'Node/kind-worker', { evict: ['shipping'] }),
    );
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err.message).toBe(
      'Node/kind-worker is already cordoned (spec.unschedulable is true), so cordoning it changes nothing',
    );
    expect(target.objects.calls).toEqual([]);
  });

  it('refuses a Deployment to evict that does not exist, before the node is touched', async () => {
    const target = clusterTarget(shop);
    const err = await injectError(
      nodeCordon,
      contextFor(nodeCordon, target, 'Node/kind-worker', { evict: ['shipping', 'shiping'] }),
    );
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err.message).toBe(
      'Deployment shop/shiping (in evict) does not exist; name Deployments of namespace shop',
    );
    expect(target.objects.calls).toEqual([]);
  });

  it('refuses a node that does not exist, changing nothing', async () => {
    const target = clusterTarget(shop);
    const err = await injectError(nodeCordon, contextFor(nodeCordon, target, 'Node/kind-worker3'));
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err.message).toBe('fault target Node/kind-worker3 does not exist');
    expect(target.objects.calls).toEqual([]);
  });

  it('uncordons the node and evicts nothing when the cordon call failed after the server took it', async () => {
    const objects = new FailingObjects(1, true);
    const target = clusterTarget(shop, objects);
    const err = await injectError(
      nodeCordon,
      contextFor(nodeCordon, target, 'Node/kind-worker', { evict: ['shipping'] }),
    );
    expect(err).toBe(objects.error);
    expect(objects.calls).toEqual(['apply Node/kind-worker (reply lost)', 'apply Node/kind-worker']);
    expect(withoutServerFields(await objects.get('Node', undefined, 'kind-worker'))).toStrictEqual(WORKER);
  });

  it('uncordons the node when an eviction fails', async () => {
    const objects = new FailingPodDeletes();
    const target = clusterTarget(shop, objects);
    const err = await injectError(
      nodeCordon,
      contextFor(nodeCordon, target, 'Node/kind-worker', { evict: ['shipping', 'currency'] }),
    );
    expect(err).toBe(objects.error);
    expect(objects.calls).toEqual([
      'apply Node/kind-worker',
      `delete shop/Pod/${EVICTED[0]} (failed)`,
      'apply Node/kind-worker',
    ]);
    expect(withoutServerFields(await objects.get('Node', undefined, 'kind-worker'))).toStrictEqual(WORKER);
  });

  it('through the API server: applies the cordoned node without its status, deletes the pods, applies the saved node', async () => {
    const run = await runOverApiServer(
      nodeCordon,
      shop,
      'Node/kind-worker',
      { evict: ['shipping', 'currency'] },
      EXTRA,
    );
    const path = `PATCH /api/v1/nodes/kind-worker?${APPLY_QUERY}`;
    expect(run.inject).toEqual([
      { call: path, contentType: APPLY_CONTENT_TYPE, body: cordoned(WORKER) },
      ...EVICTED.map((p) => ({
        call: `DELETE /api/v1/namespaces/shop/pods/${p}?propagationPolicy=Background`,
        contentType: undefined,
        body: undefined,
      })),
    ]);
    expect(run.undo).toEqual([{ call: path, contentType: APPLY_CONTENT_TYPE, body: WORKER }]);
    expect(asNode(run.during.get('Node//kind-worker'))?.spec?.unschedulable).toBe(true);
    expect(withoutServerFields(run.after.get('Node//kind-worker'))).toStrictEqual(WORKER);
  });
});
