import type { KubeObject } from '../../kube/kube-object.js';
import { loadManifests } from '../../manifests/load-manifests.js';
import { SHOP_MANIFESTS_DIR } from '../../manifests/paths.js';
import { redisBaseline, redisBytes } from './redis-baseline.js';

describe('redisBaseline', () => {
  it("reads the shop's redis Deployment: 96mb and allkeys-lru", async () => {
    const redis = (await loadManifests(SHOP_MANIFESTS_DIR)).find(
      (o) => o.kind === 'Deployment' && o.metadata.name === 'redis',
    );
    expect(redisBaseline(redis)).toEqual({
      maxmemory: String(96 * 1024 * 1024),
      maxmemoryPolicy: 'allkeys-lru',
    });
  });

  it("falls back to Redis' defaults", () => {
    const bare: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'redis' },
      spec: { template: { spec: { containers: [{ name: 'redis', image: 'redis:7', args: [] }] } } },
    };
    expect(redisBaseline(bare)).toEqual({ maxmemory: '0', maxmemoryPolicy: 'noeviction' });
  });

  it.each([
    ['100', '100'],
    ['1k', '1000'],
    ['1kb', '1024'],
    ['2MB', String(2 * 1024 * 1024)],
    ['1g', '1000000000'],
    ['lots', undefined],
  ])('redisBytes(%s) = %s', (text, bytes) => {
    expect(redisBytes(text)).toBe(bytes);
  });
});
