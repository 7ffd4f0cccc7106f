import { isKubeObject } from './kube-object.js';

describe('isKubeObject', () => {
  it('takes a document with apiVersion, kind and metadata.name', () => {
    expect(isKubeObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' }, data: {} })).toBe(
      true,
    );
    expect(
      isKubeObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'shop' } }),
    ).toBe(true);
  });

  it.each([
    ['a string', 'v1'],
    ['null', null],
    ['an array', [{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a' } }]],
    ['no apiVersion', { kind: 'Pod', metadata: { name: 'a' } }],
    ['an empty kind', { apiVersion: 'v1', kind: '', metadata: { name: 'a' } }],
    ['no metadata', { apiVersion: 'v1', kind: 'Pod' }],
    ['no name', { apiVersion: 'v1', kind: 'Pod', metadata: { namespace: 'shop' } }],
    ['a numeric namespace', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a', namespace: 1 } }],
  ])('refuses %s', (_what, value) => {
    expect(isKubeObject(value)).toBe(false);
  });
});
