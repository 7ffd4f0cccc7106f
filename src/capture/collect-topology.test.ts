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
});
