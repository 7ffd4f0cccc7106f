import { InvalidInputError } from '../../errors/invalid-input-error.js';
import type { KubeObject } from '../../kube/kube-object.js';
import {
  asLive,
  contextFor,
  FailingObjects,
  injectError,
  loadShopObjects,
  paramProblems,
  shopTarget,
  templateSpec,
  withoutServerFields,
  type ShopObjects,
} from '../../../tests/fixtures/faults/fault-kit.js';
import { runOverApiServer } from '../../../tests/fixtures/faults/api-server-kit.js';
import {
  itAppliesOverApiServer,
  itRefusesMissingTarget,
  itRestoresAfterLostReply,
} from '../../../tests/fixtures/faults/rollout-contract.js';
import { nodeSelectorMismatch } from './node-selector-mismatch.js';
import { substratesProviding } from '../../substrates/registry.js';

/** A kind cluster's nodes, labelled as kind labels them. */
const node = (name: string, extra: Record<string, string> = {}): KubeObject => ({
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
      ...extra,
    },
  },
  spec: {},
});
const NODES = [
  node('kind-control-plane', { 'node-role.kubernetes.io/control-plane': '' }),
  node('kind-worker'),
  node('kind-worker2'),
];

function targetWithNodes(shop: ShopObjects, objects?: FailingObjects) {
  const target = shopTarget(shop, objects);
  NODES.forEach((n, i) => target.objects.objects.set(`Node/${n.metadata.name}`, asLive(n, 500 + i)));
  return target;
}

describe('node-selector-mismatch', () => {
  let shop: ShopObjects;
  beforeAll(async () => {
    shop = await loadShopObjects();
  });

  it('targets Deployments on Kubernetes only', () => {
    expect(nodeSelectorMismatch.targetKinds).toEqual(['Deployment']);
    expect(substratesProviding(nodeSelectorMismatch.needs)).toEqual(['kind', 'kubeconfig']);
  });

  it('defaults to an instance type the cluster does not have', () => {
    expect(nodeSelectorMismatch.params.parse({})).toEqual({
      selector: { 'node.kubernetes.io/instance-type': 'm5.2xlarge' },
    });
    expect(nodeSelectorMismatch.params.parse({ selector: { pool: 'batch', 'example.com/ssd': '' } })).toEqual(
      {
        selector: { pool: 'batch', 'example.com/ssd': '' },
      },
    );
  });

  it.each([
    [{ selector: {} }, 'selector: must name at least one label'],
    [{ selector: { 'bad key': 'x' } }, 'selector.bad key: not a valid label key'],
    [{ selector: { 'Example.com/pool': 'x' } }, 'selector.Example.com/pool: not a valid label key'],
    [{ selector: { [`${'k'.repeat(64)}`]: 'x' } }, `selector.${'k'.repeat(64)}: not a valid label key`],
    [{ selector: { pool: 'batch jobs' } }, 'selector.pool: not a valid label value'],
    [{ selector: { pool: `${'v'.repeat(64)}` } }, 'selector.pool: not a valid label value'],
    [{ selector: { pool: 1 } }, 'selector.pool: Invalid input: expected string, received number'],
    [{ selector: 'pool=batch' }, 'selector: Invalid input: expected record, received string'],
    [{ nodeName: 'kind-worker' }, '(params): Unrecognized key: "nodeName"'],
  ])('refuses params %j naming the problem', (params, problem) => {
    expect(paramProblems(nodeSelectorMismatch, params)).toEqual([problem]);
  });

  it('names the Deployment as the root cause and expects its pending pod', () => {
    const ref = { namespace: 'shop', kind: 'Deployment', name: 'shipping' };
    const p = nodeSelectorMismatch.params.parse({});
    expect(nodeSelectorMismatch.groundTruth(ref, p)).toEqual(['shop/Deployment/shipping']);
    expect(nodeSelectorMismatch.expectedAlerts(ref, p)).toEqual(['KubePodPending']);
  });

  it('rolls out the Deployment with only a nodeSelector added, and undo removes it again', async () => {
    const target = targetWithNodes(shop);
    const undo = await nodeSelectorMismatch.inject(
      contextFor(nodeSelectorMismatch, target, 'shop/Deployment/shipping'),
    );

    const expected = shop.get('shop/Deployment/shipping');
    templateSpec(expected).nodeSelector = { 'node.kubernetes.io/instance-type': 'm5.2xlarge' };
    expect(await target.objects.get('Deployment', 'shop', 'shipping')).toStrictEqual(expected);
    expect(target.objects.calls).toEqual(['apply shop/Deployment/shipping']);
    expect(undo.description).toBe('restore Deployment shop/Deployment/shipping');

    await undo.undo();
    expect(target.objects.calls).toEqual([
      'apply shop/Deployment/shipping',
      'apply shop/Deployment/shipping',
    ]);
    const restored = withoutServerFields(await target.objects.get('Deployment', 'shop', 'shipping'));
    expect(restored).toStrictEqual(shop.get('shop/Deployment/shipping'));
    expect(restored && Object.keys(templateSpec(restored))).not.toContain('nodeSelector');
  });

  it('merges into a nodeSelector the Deployment already has, and undo restores it exactly', async () => {
    const target = targetWithNodes(shop);
    const seeded = shop.get('shop/Deployment/shipping');
    templateSpec(seeded).nodeSelector = { 'kubernetes.io/os': 'linux', pool: 'general' };
    target.objects.objects.set('shop/Deployment/shipping', asLive(seeded, 99));

    const undo = await nodeSelectorMismatch.inject(
      contextFor(nodeSelectorMismatch, target, 'shop/Deployment/shipping', { selector: { pool: 'gpu' } }),
    );
    const expected = structuredClone(seeded);
    templateSpec(expected).nodeSelector = { 'kubernetes.io/os': 'linux', pool: 'gpu' };
    expect(await target.objects.get('Deployment', 'shop', 'shipping')).toStrictEqual(expected);

    await undo.undo();
    expect(withoutServerFields(await target.objects.get('Deployment', 'shop', 'shipping'))).toStrictEqual(
      seeded,
    );
  });

  itAppliesOverApiServer(
    nodeSelectorMismatch,
    () => shop,
    'shop/Deployment/shipping',
    (d) => {
      templateSpec(d).nodeSelector = { 'node.kubernetes.io/instance-type': 'm5.2xlarge' };
    },
    {
      title:
        'through the API server: reads the nodes, one server-side apply of the changed Deployment, one of the saved copy',
      extra: NODES,
    },
  );

  it('through the API server: refuses labels a node the server lists carries', async () => {
    await expect(
      runOverApiServer(
        nodeSelectorMismatch,
        shop,
        'shop/Deployment/shipping',
        { selector: { 'kubernetes.io/hostname': 'kind-worker2' } },
        NODES,
      ),
    ).rejects.toThrow(
      'node kind-worker2 matches the selector kubernetes.io/hostname=kind-worker2, so the pods would still be scheduled; choose labels no node carries',
    );
  });

  it.each([
    [
      { 'kubernetes.io/os': 'linux' },
      'nodes kind-control-plane, kind-worker, kind-worker2 match the selector kubernetes.io/os=linux',
    ],
    [
      { 'kubernetes.io/hostname': 'kind-worker' },
      'node kind-worker matches the selector kubernetes.io/hostname=kind-worker',
    ],
  ])(
    'refuses %j, which a node carries (the pods would still be scheduled), changing nothing',
    async (selector, what) => {
      const target = targetWithNodes(shop);
      const err = await injectError(
        nodeSelectorMismatch,
        contextFor(nodeSelectorMismatch, target, 'shop/Deployment/shipping', { selector }),
      );
      expect(err).toBeInstanceOf(InvalidInputError);
      expect(err.message).toBe(
        `${what}, so the pods would still be scheduled; choose labels no node carries`,
      );
      expect(target.objects.calls).toEqual([]);
    },
  );

  it('checks the merged selector: labels a node carries plus one of the existing ones it lacks are accepted', async () => {
    const target = targetWithNodes(shop);
    const seeded = shop.get('shop/Deployment/shipping');
    templateSpec(seeded).nodeSelector = { pool: 'general' };
    target.objects.objects.set('shop/Deployment/shipping', asLive(seeded, 99));
    await nodeSelectorMismatch.inject(
      contextFor(nodeSelectorMismatch, target, 'shop/Deployment/shipping', {
        selector: { 'kubernetes.io/os': 'linux' },
      }),
    );
    expect(target.objects.calls).toEqual(['apply shop/Deployment/shipping']);
  });

  itRefusesMissingTarget(nodeSelectorMismatch, () => shop, 'shop/Deployment/shippin', {
    target: targetWithNodes,
  });

  itRestoresAfterLostReply(nodeSelectorMismatch, () => shop, 'shop/Deployment/shipping', {
    target: targetWithNodes,
  });
});
