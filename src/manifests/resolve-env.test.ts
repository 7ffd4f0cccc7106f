import { ManifestError } from '../errors/manifest-error.js';
import type { Container } from '../kube/kube-object.js';
import type { K8sObject } from './k8s-object.js';
import { parseManifestText } from './load-manifests.js';
import { expandVars, resolveCommand, resolveEnv } from './resolve-env.js';

const objects: K8sObject[] = [
  {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'auth', namespace: 'shop' },
    data: { password: Buffer.from('s3cret').toString('base64') },
    stringData: { token: 'plain-token' },
  },
  {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'settings', namespace: 'shop' },
    data: { level: 'debug' },
  },
  {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'settings', namespace: 'other' },
    data: { level: 'warn' },
  },
];
const ctx = { podName: 'cart-0', namespace: 'shop', objects };

describe('resolveEnv', () => {
  it('resolves plain values, downward-API fields, Secret and ConfigMap keys', () => {
    const env = resolveEnv(
      [
        { name: 'PORT', value: '8080' },
        { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
        { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'auth', key: 'password' } } },
        { name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'auth', key: 'token' } } },
        { name: 'LEVEL', valueFrom: { configMapKeyRef: { name: 'settings', key: 'level' } } },
        { name: 'EMPTY' },
      ],
      ctx,
    );
    expect(env).toEqual({
      PORT: '8080',
      POD_NAME: 'cart-0',
      POD_NAMESPACE: 'shop',
      PASSWORD: 's3cret',
      TOKEN: 'plain-token',
      LEVEL: 'debug',
      EMPTY: '',
    });
  });

  it('expands $(VAR) from variables defined earlier in the list only', () => {
    const env = resolveEnv(
      [
        { name: 'HOST', value: 'redis' },
        { name: 'URL', value: 'redis://$(HOST):$(PORT)/$$(HOST)' },
        { name: 'PORT', value: '6379' },
      ],
      ctx,
    );
    expect(env.URL).toBe('redis://redis:$(PORT)/$(HOST)');
  });

  it('skips a missing optional key and uses extra downward-API fields when given', () => {
    const env = resolveEnv(
      [
        { name: 'OPT', valueFrom: { secretKeyRef: { name: 'nope', key: 'x', optional: true } } },
        { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
      ],
      { ...ctx, fields: { 'spec.nodeName': 'local' } },
    );
    expect(env).toEqual({ NODE: 'local' });
  });

  it('reports every unresolvable reference with the owner position', () => {
    const [owner] = parseManifestText(
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: cart, namespace: shop}\n',
      'manifests/shop/cart.yaml',
    );
    let err: unknown;
    try {
      resolveEnv(
        [
          { name: 'A', valueFrom: { secretKeyRef: { name: 'missing', key: 'password' } } },
          { name: 'B', valueFrom: { configMapKeyRef: { name: 'settings', key: 'nope' } } },
          { name: 'C', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
        ],
        { ...ctx, owner: owner?.object },
      );
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ManifestError);
    expect((err as ManifestError).message.split('\n')).toEqual([
      'manifests/shop/cart.yaml:1:0: env A: Secret shop/missing does not exist',
      'manifests/shop/cart.yaml:1:0: env B: ConfigMap shop/settings has no key "nope"',
      'manifests/shop/cart.yaml:1:0: env C: fieldRef status.podIP is not available here',
    ]);
  });
});

describe('resolveCommand and expandVars', () => {
  it('joins command and args and expands references from the resolved env', () => {
    const container: Container = {
      name: 'redis',
      image: 'redis:7.0.15',
      command: ['redis-server'],
      args: ['--requirepass', '$(REDIS_PASSWORD)', '--save', ''],
    };
    expect(resolveCommand(container, { REDIS_PASSWORD: 'pw' })).toEqual([
      'redis-server',
      '--requirepass',
      'pw',
      '--save',
      '',
    ]);
  });

  it('leaves unknown references as written and unescapes $$', () => {
    expect(expandVars('$(A)-$(B)-$$(A)-$$$(A)', { A: 'x' })).toBe('x-$(B)-$(A)-$x');
  });
});
