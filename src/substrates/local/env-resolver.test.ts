import { describe, expect, it } from '@jest/globals';
import type { KubeObject } from '../../kube/kube-object.js';
import { resolveEnv, type ResolveContext } from './env-resolver.js';

const catalog: KubeObject = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'catalog', namespace: 'shop' },
  spec: { clusterIP: '127.77.0.10', ports: [{ port: 8080 }] },
};

function ctx(clusterDns: boolean): ResolveContext {
  return {
    pod: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'cart-1', namespace: 'shop' } },
    podIp: '127.1.0.5',
    lookup: (kind, ns, name) =>
      kind === 'Service' && ns === 'shop' && name === 'catalog' ? catalog : undefined,
    aliases: { 'jaeger.observability:4318': '127.0.0.1:40000' },
    mounts: {},
    clusterDns,
  };
}

const container = {
  name: 'cart',
  env: [
    { name: 'CATALOG_URL', value: 'http://catalog:8080' },
    { name: 'OTEL_EXPORTER_OTLP_ENDPOINT', value: 'http://jaeger.observability:4318' },
  ],
};

describe('resolveEnv: names in values', () => {
  it('leaves Service names as written when the container resolves at the cluster DNS; aliases still apply', () => {
    expect(resolveEnv(container, ctx(true))).toEqual({
      CATALOG_URL: 'http://catalog:8080',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:40000',
    });
  });

  it('writes the ClusterIP in for a process that cannot use the cluster DNS', () => {
    expect(resolveEnv(container, ctx(false)).CATALOG_URL).toBe('http://127.77.0.10:8080');
  });
});
