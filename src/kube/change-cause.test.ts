import { describe, expect, it } from '@jest/globals';
import { describeTemplateChange } from './change-cause.js';
import type { Container, KubeObject } from './kube-object.js';

function deployment(container: Partial<Container>, template: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'cart', namespace: 'shop' },
    spec: {
      replicas: 2,
      template: {
        metadata: { labels: { app: 'cart' }, ...(template.metadata as object) },
        spec: {
          containers: [{ name: 'cart', image: 'acme/shop:0.1.0', ...container }],
          ...(template.spec as object),
        },
      },
    },
  };
}

const base = deployment({ env: [{ name: 'PORT', value: '8080' }], resources: { requests: { cpu: '50m' } } });

describe('describeTemplateChange', () => {
  it('words each kind of change as the kubectl command that makes it', () => {
    expect(describeTemplateChange(base, deployment({ ...containerOf(base), image: 'acme/shop:0.1.1' }))).toBe(
      'kubectl set image deployment/cart cart=acme/shop:0.1.1',
    );
    expect(
      describeTemplateChange(
        base,
        deployment({
          ...containerOf(base),
          env: [
            { name: 'PORT', value: '8080' },
            { name: 'TZ', value: 'UTC' },
          ],
        }),
      ),
    ).toBe('kubectl set env deployment/cart TZ=UTC');
    expect(describeTemplateChange(base, deployment({ ...containerOf(base), env: [] }))).toBe(
      'kubectl set env deployment/cart PORT-',
    );
    expect(
      describeTemplateChange(
        base,
        deployment({
          ...containerOf(base),
          resources: { requests: { cpu: '50m' }, limits: { memory: '64Mi' } },
        }),
      ),
    ).toBe('kubectl set resources deployment/cart --limits=memory=64Mi');
    expect(
      describeTemplateChange(
        base,
        deployment(containerOf(base), {
          metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-01-01T00:00:00Z' } },
        }),
      ),
    ).toBe('kubectl rollout restart deployment/cart');
  });

  it('calls anything else a re-applied manifest: probes, scheduling, pod annotations, mixed edits', () => {
    const apply = 'kubectl apply -f cart.yaml';
    expect(
      describeTemplateChange(
        base,
        deployment({ ...containerOf(base), readinessProbe: { httpGet: { path: '/ready', port: 8081 } } }),
      ),
    ).toBe(apply);
    expect(
      describeTemplateChange(base, deployment(containerOf(base), { spec: { nodeSelector: { a: 'b' } } })),
    ).toBe(apply);
    expect(
      describeTemplateChange(
        base,
        deployment(containerOf(base), { metadata: { annotations: { 'checksum/config': 'ab12' } } }),
      ),
    ).toBe(apply);
    expect(
      describeTemplateChange(base, deployment({ ...containerOf(base), image: 'acme/shop:0.2.0', env: [] })),
    ).toBe(apply);
    expect(
      describeTemplateChange(
        base,
        deployment({
          ...containerOf(base),
          env: [{ name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }],
        }),
      ),
    ).toBe(apply);
  });

  it('records nothing when the pod template is unchanged (a scale, a label on the Deployment)', () => {
    const scaled = structuredClone(base);
    (scaled.spec as { replicas: number }).replicas = 3;
    scaled.metadata.labels = { team: 'checkout' };
    expect(describeTemplateChange(base, scaled)).toBeUndefined();
    expect(describeTemplateChange(base, { ...base, kind: 'Service', spec: {} })).toBeUndefined();
  });
});

function containerOf(d: KubeObject): Container {
  return (d.spec as { template: { spec: { containers: Container[] } } }).template.spec.containers[0];
}
