import type { KubeObject } from './kube-object.js';
import { containerStatusesOf, hasRestarted, isPodReady, podPhaseOf } from './pod-status.js';

const pod = (status?: Record<string, unknown>, kind = 'Pod'): KubeObject => ({
  apiVersion: 'v1',
  kind,
  metadata: { name: 'cart-0', namespace: 'shop' },
  ...(status ? { status } : {}),
});

describe('pod status', () => {
  it('reads phase, readiness and restarts', () => {
    const p = pod({
      phase: 'Running',
      conditions: [
        { type: 'PodScheduled', status: 'True' },
        { type: 'Ready', status: 'True' },
      ],
      containerStatuses: [{ name: 'cart', image: 'x', imageID: 'y', ready: true, restartCount: 2 }],
    });
    expect(podPhaseOf(p)).toBe('Running');
    expect(isPodReady(p)).toBe(true);
    expect(containerStatusesOf(p).map((c) => c.name)).toEqual(['cart']);
    expect(hasRestarted(p)).toBe(true);
  });

  it('reads a pod nothing was reported for yet as not ready and not restarted', () => {
    const p = pod();
    expect(podPhaseOf(p)).toBeUndefined();
    expect(isPodReady(p)).toBe(false);
    expect(containerStatusesOf(p)).toEqual([]);
    expect(hasRestarted(p)).toBe(false);
    expect(isPodReady(pod({ conditions: [{ type: 'Ready', status: 'False' }] }))).toBe(false);
  });

  it('reads nothing from an object of another kind', () => {
    expect(podPhaseOf(pod({ phase: 'Running' }, 'Node'))).toBeUndefined();
  });
});
