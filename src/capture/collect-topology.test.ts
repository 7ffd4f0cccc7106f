import type { KubeObject } from '../kube/kube-object.js';
import { withAliases } from '../entities/root-cause-aliases.js';
import { buildTopology } from './collect-topology.js';

const meta = (kind: string, name: string, labels?: Record<string, string>) => ({
  apiVersion: 'v1',
  kind,
  metadata: { name, namespace: 'shop', ...(labels ? { labels } : {}) },
});

function deployment(name: string, replicas: number): KubeObject {
  return {
    ...meta('Deployment', name),
    apiVersion: 'apps/v1',
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } } },
    },
  } as KubeObject;
}

const service = (name: string, selector: Record<string, string>): KubeObject =>
  ({ ...meta('Service', name), spec: { selector } }) as KubeObject;

describe('buildTopology', () => {
  it('links a Service to the workload whose pod template it selects, with no pod running', () => {
    // Scaled to zero: no pod, so no Service → Pod edge; the template edge keeps checkout's calls
    // reaching shipping's Deployment.
    const t = buildTopology(
      [deployment('shipping', 0), service('shipping', { app: 'shipping' }), service('other', { app: 'x' })],
      [],
    );
    expect(t.edges).toEqual([
      { from: 'shop/Service/shipping', to: 'shop/Deployment/shipping', type: 'selects' },
    ]);
    // The Service names the Deployment it fronts, as it does when pods run.
    expect(withAliases(['shop/Deployment/shipping'], t, [])).toEqual([
      { id: 'shop/Deployment/shipping', aliases: ['shop/Service/shipping'] },
    ]);
  });

  it('does not link a Service to the ReplicaSets carrying the same template labels', () => {
    const rs = {
      ...meta('ReplicaSet', 'shipping-5d9f7c8b6d'),
      apiVersion: 'apps/v1',
      spec: { template: { metadata: { labels: { app: 'shipping' } } } },
    } as KubeObject;
    const pod = meta('Pod', 'shipping-5d9f7c8b6d-x7k2p', { app: 'shipping' }) as KubeObject;
    const t = buildTopology([rs, pod, service('shipping', { app: 'shipping' })], []);
    expect(t.edges).toEqual([
      { from: 'shop/Service/shipping', to: 'shop/Pod/shipping-5d9f7c8b6d-x7k2p', type: 'selects' },
    ]);
  });
  it('links a LimitRange to every workload of its namespace, and only of its namespace', () => {
    const elsewhere = deployment('billing', 1);
    elsewhere.metadata.namespace = 'finance';
    const t = buildTopology(
      [
        deployment('cart', 1),
        deployment('payment', 2),
        elsewhere,
        { ...meta('LimitRange', 'container-limits'), spec: { limits: [] } } as KubeObject,
      ],
      [],
    );
    expect(t.edges).toEqual([
      { from: 'shop/LimitRange/container-limits', to: 'shop/Deployment/cart', type: 'limits' },
      { from: 'shop/LimitRange/container-limits', to: 'shop/Deployment/payment', type: 'limits' },
    ]);
  });

  it('keeps a Secret or claim a pod refers to in the picture when it does not exist', () => {
    const pod = {
      ...meta('Pod', 'inventory-7f9c-abcde'),
      spec: {
        containers: [
          {
            name: 'inventory',
            env: [
              { name: 'PGPASSWORD', valueFrom: { secretKeyRef: { name: 'postgres-auth', key: 'password' } } },
            ],
          },
        ],
        volumes: [
          { name: 'cfg', configMap: { name: 'inventory-config' } },
          { name: 'data', persistentVolumeClaim: { claimName: 'inventory-data' } },
        ],
      },
    } as KubeObject;
    const t = buildTopology([pod, { ...meta('ConfigMap', 'inventory-config'), data: {} } as KubeObject], []);
    expect(t.entities.map((e) => e.id)).toEqual([
      'shop/ConfigMap/inventory-config',
      'shop/PersistentVolumeClaim/inventory-data',
      'shop/Pod/inventory-7f9c-abcde',
      'shop/Secret/postgres-auth',
    ]);
    expect(t.entities.find((e) => e.id === 'shop/Secret/postgres-auth')).toEqual({
      id: 'shop/Secret/postgres-auth',
      kind: 'Secret',
      name: 'postgres-auth',
      namespace: 'shop',
    });
    expect(t.edges).toEqual([
      { from: 'shop/Pod/inventory-7f9c-abcde', to: 'shop/ConfigMap/inventory-config', type: 'uses' },
      {
        from: 'shop/Pod/inventory-7f9c-abcde',
        to: 'shop/PersistentVolumeClaim/inventory-data',
        type: 'uses',
      },
      { from: 'shop/Pod/inventory-7f9c-abcde', to: 'shop/Secret/postgres-auth', type: 'uses' },
    ]);
  });
});
