import { TOPOLOGY_KINDS } from '../capture/collect-topology.js';
import { loadManifests } from '../manifests/load-manifests.js';
import { MANIFESTS_DIR, SHOP_MANIFESTS_DIR } from '../manifests/paths.js';
import { join } from 'node:path';
import { apiResource, labelSelector, resourcePath } from './api-resources.js';

describe('apiResource / resourcePath', () => {
  it('knows every kind capture lists and every kind firedrill deploys', async () => {
    const deployed = [
      ...(await loadManifests(SHOP_MANIFESTS_DIR)),
      ...(await loadManifests(join(MANIFESTS_DIR, 'observability'))),
    ];
    for (const kind of [...TOPOLOGY_KINDS, 'Event', ...deployed.map((o) => o.kind)]) {
      expect(() => apiResource(kind)).not.toThrow();
    }
    // The deployed objects' own apiVersions are the table's.
    for (const o of deployed)
      expect(`${o.kind} ${apiResource(o.kind).apiVersion}`).toBe(`${o.kind} ${o.apiVersion}`);
  });

  it.each([
    ['Pod', 'shop', 'cart-1', '/api/v1/namespaces/shop/pods/cart-1'],
    ['Pod', undefined, undefined, '/api/v1/pods'],
    ['Event', undefined, undefined, '/api/v1/events'],
    ['Deployment', 'shop', undefined, '/apis/apps/v1/namespaces/shop/deployments'],
    ['Node', 'ignored', 'kind-worker', '/api/v1/nodes/kind-worker'],
    [
      'HorizontalPodAutoscaler',
      'shop',
      'cart',
      '/apis/autoscaling/v2/namespaces/shop/horizontalpodautoscalers/cart',
    ],
    ['ClusterRoleBinding', undefined, 'x', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/x'],
  ])('%s %s/%s → %s', (kind, ns, name, path) => {
    expect(resourcePath(apiResource(kind), ns, name)).toBe(path);
  });

  it("takes an applied object's apiVersion over the table's, keeping the resource", () => {
    expect(resourcePath(apiResource('HorizontalPodAutoscaler', 'autoscaling/v1'), 'shop', 'cart')).toBe(
      '/apis/autoscaling/v1/namespaces/shop/horizontalpodautoscalers/cart',
    );
  });

  it('refuses a namespaced object without a namespace', () => {
    expect(() => resourcePath(apiResource('Pod'), undefined, 'cart-1')).toThrow(/namespace is required/);
  });

  it('writes label selectors in a stable order', () => {
    expect(labelSelector({ b: '2', a: '1' })).toBe('a=1,b=2');
  });
});
