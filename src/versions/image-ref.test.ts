import { parseImageRef, unpinnedReason } from './image-ref.js';

describe('parseImageRef', () => {
  it.each([
    ['redis:7.0.15', { name: 'redis', tag: '7.0.15', digest: undefined }],
    ['node:20.20.2-bookworm-slim', { name: 'node', tag: '20.20.2-bookworm-slim', digest: undefined }],
    [
      'registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.17.0',
      { name: 'registry.k8s.io/kube-state-metrics/kube-state-metrics', tag: 'v2.17.0', digest: undefined },
    ],
    ['localhost:5000/shop', { name: 'localhost:5000/shop', tag: undefined, digest: undefined }],
    [
      `kindest/node:v1.34.0@sha256:${'a'.repeat(64)}`,
      { name: 'kindest/node', tag: 'v1.34.0', digest: `sha256:${'a'.repeat(64)}` },
    ],
  ])('parses %s', (ref, expected) => {
    expect(parseImageRef(ref)).toEqual(expected);
  });

  it.each(['', 'Redis:7', 'redis:', 'redis@sha256:short', 'a b:1'])('rejects %j', (ref) => {
    expect(parseImageRef(ref)).toBeUndefined();
  });
});

describe('unpinnedReason', () => {
  it('accepts a tag or a digest', () => {
    expect(unpinnedReason('redis:7.0.15')).toBeUndefined();
    expect(unpinnedReason(`redis@sha256:${'0'.repeat(64)}`)).toBeUndefined();
  });
  it('explains untagged, latest and malformed references', () => {
    expect(unpinnedReason('redis')).toBe('"redis" has no tag (it would pull :latest)');
    expect(unpinnedReason('localhost:5000/shop')).toContain('has no tag');
    expect(unpinnedReason('redis:latest')).toBe('"redis:latest" uses the moving tag :latest');
    expect(unpinnedReason('Not An Image')).toBe('"Not An Image" is not an image reference');
  });
});
