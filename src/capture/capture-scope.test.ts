import type { KubeObject } from '../kube/kube-object.js';
import { leakPatterns } from '../bundle/leak-rule.js';
import { MemoryObjects } from '../faults/testing/fake-target.js';
import { apiGroupOf, DEFAULT_SCOPE } from './capture-scope.js';
import { collectEvents } from './collect-events.js';
import { collectObjects } from './collect-objects.js';

const AT = '2026-01-01T00:01:00Z';
const WINDOW = { start: new Date('2026-01-01T00:00:00Z'), end: new Date('2026-01-01T00:10:00Z') };

function event(name: string, involved: Record<string, string>, reason = 'Started'): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name, namespace: involved.namespace ?? 'default' },
    involvedObject: involved,
    reason,
    message: `${reason} ${involved.name}`,
    type: 'Normal',
    firstTimestamp: AT,
    lastTimestamp: AT,
  } as KubeObject;
}

const obj = (kind: string, name: string, namespace?: string, apiVersion = 'v1'): KubeObject => ({
  apiVersion,
  kind,
  metadata: { name, ...(namespace ? { namespace } : {}) },
});

describe('the capture scope leaves the chaos engine out', () => {
  it('reads the API group off an apiVersion', () => {
    expect(apiGroupOf('chaos-mesh.org/v1alpha1')).toBe('chaos-mesh.org');
    expect(apiGroupOf('v1')).toBe('');
    expect(apiGroupOf(undefined)).toBe('');
  });

  it("captures no event about Chaos Mesh's resources, pods or cluster-scoped objects", () => {
    const events = [
      event('a', { kind: 'Pod', namespace: 'shop', name: 'cart-7d9f-abcde', apiVersion: 'v1' }),
      event(
        'b',
        {
          kind: 'NetworkChaos',
          namespace: 'chaos-mesh',
          name: 'net-x',
          apiVersion: 'chaos-mesh.org/v1alpha1',
        },
        'Applied',
      ),
      event('c', { kind: 'Pod', namespace: 'chaos-mesh', name: 'chaos-daemon-q8x2z', apiVersion: 'v1' }),
      // A cluster-scoped object of the engine's group (a schedule, a workflow node) must not slip through.
      event('d', { kind: 'RemoteCluster', name: 'local', apiVersion: 'chaos-mesh.org/v1alpha1' }, 'Updated'),
      event('e', { kind: 'Node', name: 'shop-lab-worker', apiVersion: 'v1' }, 'NodeReady'),
    ];
    const kept = collectEvents(events, WINDOW, DEFAULT_SCOPE).map((e) => e.entity);
    expect(kept).toEqual(['Node/shop-lab-worker', 'shop/Pod/cart-7d9f-abcde']);
  });

  it('reads event times as times: whole seconds and microseconds against a window that ends mid-second', () => {
    const at = (name: string, first: string, last = first): KubeObject => ({
      ...event(name, { kind: 'Pod', namespace: 'shop', name }),
      firstTimestamp: first,
      lastTimestamp: last,
    });
    const window = { start: new Date('2026-01-01T00:00:00.500Z'), end: new Date('2026-01-01T00:00:10.900Z') };
    const kept = collectEvents(
      [
        at('late', '2026-01-01T00:00:10.950000Z'),
        at('inside-micro', '2026-01-01T00:00:10.100000Z'),
        at('inside', '2026-01-01T00:00:10Z'),
        at('before', '2026-01-01T00:00:00Z'),
      ],
      window,
      DEFAULT_SCOPE,
    ).map((e) => e.involvedObject.name);
    expect(kept).toEqual(['inside', 'inside-micro']);
  });

  it("keeps the node that reported a kubelet's event", () => {
    const e = {
      ...event('p', { kind: 'Pod', namespace: 'shop', name: 'p' }),
      source: { component: 'kubelet', host: 'worker-1' },
    };
    expect(collectEvents([e], WINDOW, DEFAULT_SCOPE)[0].source).toEqual({
      component: 'kubelet',
      host: 'worker-1',
    });
  });

  it("captures no object of Chaos Mesh's namespace, nor the namespace itself", async () => {
    const objects = new MemoryObjects([
      obj('Namespace', 'shop'),
      obj('Namespace', 'chaos-mesh'),
      obj('Pod', 'cart-7d9f-abcde', 'shop'),
      obj('Pod', 'chaos-daemon-q8x2z', 'chaos-mesh'),
      obj('Deployment', 'chaos-controller-manager', 'chaos-mesh', 'apps/v1'),
      obj('Service', 'chaos-mesh-dns-server', 'chaos-mesh'),
    ]);
    const kept = (await collectObjects(objects, DEFAULT_SCOPE)).map((o) => `${o.kind}/${o.metadata.name}`);
    expect(kept.sort()).toEqual(['Namespace/shop', 'Pod/cart-7d9f-abcde']);
  });

  it("flags the engine's names anywhere else in snapshot/ (the leak rule's always-forbidden word)", () => {
    const patterns = leakPatterns();
    for (const line of ['NetworkChaos net-x applied', 'chaos-daemon-q8x2z', 'namespace=chaos-mesh']) {
      expect(patterns.some((p) => p.test(line))).toBe(true);
    }
  });
});
