import type { KubeObject } from './kube-object.js';
import { podSpecOf, podTemplateOf } from './pod-template.js';

const containers = [{ name: 'app', image: 'acme/shop:0.1.0' }];
const object = (kind: string, spec: Record<string, unknown>): KubeObject => ({
  apiVersion: 'v1',
  kind,
  metadata: { name: 'x' },
  spec,
});

describe('podTemplateOf / podSpecOf', () => {
  it.each(['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job'])(
    "reads a %s's template",
    (kind) => {
      const w = object(kind, { template: { metadata: { labels: { app: 'x' } }, spec: { containers } } });
      expect(podTemplateOf(w)?.metadata?.labels).toEqual({ app: 'x' });
      expect(podSpecOf(w)?.containers).toBe(containers);
    },
  );

  it("reads a Pod's own spec, which has no template", () => {
    const pod = object('Pod', { containers, nodeName: 'n1' });
    expect(podSpecOf(pod)?.nodeName).toBe('n1');
    expect(podTemplateOf(pod)).toBeUndefined();
  });

  it('finds nothing in other kinds, or in a workload without a template', () => {
    expect(podSpecOf(object('Service', { template: { spec: { containers } } }))).toBeUndefined();
    expect(podSpecOf(object('Deployment', {}))).toBeUndefined();
    expect(podSpecOf(undefined)).toBeUndefined();
  });
});
