import { join } from 'node:path';
import { loadManifests, MANIFESTS_DIR, SHOP_MANIFESTS_DIR } from '../manifests/index.js';
import { clusterImages } from './airgap-cluster.js';
import { PAUSE_IMAGE } from './node/node-config.js';

interface PodSpecLike {
  containers?: Array<{ image?: string }>;
  initContainers?: Array<{ image?: string }>;
}

describe('clusterImages', () => {
  it('is every image the shop and observability manifests deploy, plus the pod sandbox', async () => {
    const objects = [
      ...(await loadManifests(SHOP_MANIFESTS_DIR)),
      ...(await loadManifests(join(MANIFESTS_DIR, 'observability'))),
    ];
    const named = new Set<string>();
    for (const o of objects) {
      const pod = (o as { spec?: { template?: { spec?: PodSpecLike } } }).spec?.template?.spec;
      for (const c of [...(pod?.containers ?? []), ...(pod?.initContainers ?? [])]) {
        if (c.image) named.add(c.image);
      }
    }
    expect(named.size).toBeGreaterThanOrEqual(6);
    expect([...clusterImages()].sort()).toEqual([...named, PAUSE_IMAGE].sort());
  });
});
