import type { KubeObject } from '../../kube/kube-object.js';
import { MemoryObjects } from '../../faults/testing/fake-target.js';
import { waitPodsReplaced } from './wait-pods.js';

const pod = (name: string, phase: string, ready = phase === 'Running'): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'shop' },
  status: { phase, conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
});

describe('waitPodsReplaced', () => {
  it("does not wait for a setup Job's pod that ran to its end, nor for a failed one", async () => {
    const objects = new MemoryObjects([
      pod('cart-5d8f7-x2x4q', 'Running'),
      pod('db-migrate-m7n7s', 'Succeeded'),
      pod('catalog-sync-29391-k2j4d', 'Failed'),
    ]);
    await expect(waitPodsReplaced(objects, 'shop', [], 2_000)).resolves.toBeUndefined();
  });

  it('still waits for a pod that is running but not ready, and names it', async () => {
    const objects = new MemoryObjects([pod('cart-5d8f7-x2x4q', 'Running', false)]);
    await expect(waitPodsReplaced(objects, 'shop', [], 1_500)).rejects.toThrow(
      /shop\/Pod\/cart-5d8f7-x2x4q \(not ready\)/,
    );
  });
});
