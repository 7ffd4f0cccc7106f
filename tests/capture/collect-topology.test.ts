import { buildTopology } from '../../src/capture/collect-topology.js';
import type { KubeObject } from '../../src/kube/kube-object.js';

const pod = (name: string, labels: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'shop', labels },
  spec: { nodeName: 'shop-lab-worker', containers: [] },
});

describe('buildTopology: the objects Kubernetes-only faults create', () => {
  const objects: KubeObject[] = [
    pod('currency-5d8f7-x2x4q', { 'app.kubernetes.io/name': 'currency' }),
    pod('payment-7c5d9-q8w3e', { 'app.kubernetes.io/name': 'payment' }),
    { apiVersion: 'v1', kind: 'Node', metadata: { name: 'shop-lab-worker' } },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'frontend', namespace: 'shop' },
      spec: {},
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'currency-allow-ingress', namespace: 'shop' },
      spec: {
        podSelector: { matchLabels: { 'app.kubernetes.io/name': 'currency' } },
        policyTypes: ['Ingress'],
      },
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'default-deny', namespace: 'shop' },
      spec: { podSelector: {}, policyTypes: ['Ingress'] },
    },
    {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'frontend', namespace: 'shop' },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'frontend' },
        maxReplicas: 1,
      },
    },
  ];

  it('a NetworkPolicy selects the pods its podSelector matches (an empty selector: all of them)', () => {
    const edges = buildTopology(objects, []).edges.filter((e) => e.from.includes('/NetworkPolicy/'));
    expect(edges).toEqual([
      {
        from: 'shop/NetworkPolicy/currency-allow-ingress',
        to: 'shop/Pod/currency-5d8f7-x2x4q',
        type: 'selects',
      },
      { from: 'shop/NetworkPolicy/default-deny', to: 'shop/Pod/currency-5d8f7-x2x4q', type: 'selects' },
      { from: 'shop/NetworkPolicy/default-deny', to: 'shop/Pod/payment-7c5d9-q8w3e', type: 'selects' },
    ]);
  });

  it('a HorizontalPodAutoscaler scales its target', () => {
    expect(buildTopology(objects, []).edges.filter((e) => e.type === 'scales')).toEqual([
      { from: 'shop/HorizontalPodAutoscaler/frontend', to: 'shop/Deployment/frontend', type: 'scales' },
    ]);
  });
});
