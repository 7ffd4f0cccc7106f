import type { PodTemplate } from './kube.js';
import { diffTemplates } from './template-diff.js';

const base: PodTemplate = {
  metadata: { labels: { app: 'cart' }, annotations: { a: '1' } },
  spec: {
    containers: [
      {
        name: 'cart',
        image: 'acme/shop:0.1.0',
        args: ['cart'],
        env: [
          { name: 'LOG_LEVEL', value: 'info' },
          { name: 'CATALOG_URL', value: 'http://catalog:8080' },
        ],
        resources: { limits: { cpu: '500m', memory: '192Mi' } },
        readinessProbe: { httpGet: { path: '/readyz', port: 'http' } },
      },
    ],
  },
};

function changed(mutate: (t: PodTemplate) => void): Array<{ what: string; harm: number }> {
  const next = structuredClone(base);
  mutate(next);
  return diffTemplates(base, next).map(({ what, harm }) => ({ what, harm }));
}
const c0 = (t: PodTemplate) => t.spec?.containers?.[0] ?? {};

describe('diffTemplates', () => {
  it('weighs harmless edits (an annotation, the log level) at almost nothing', () => {
    const d = changed((t) => {
      t.metadata = { ...t.metadata, annotations: { a: '2' } };
      const lv = c0(t).env?.find((e) => e.name === 'LOG_LEVEL');
      if (lv) lv.value = 'debug';
    });
    expect(d.length).toBe(2);
    expect(Math.max(...d.map((x) => x.harm))).toBeLessThan(0.1);
  });

  it('weighs an address rewritten in another form of the same Service at almost nothing, another Service not', () => {
    const to = (value: string): Array<{ what: string; harm: number }> => {
      const next = structuredClone(base);
      const e = c0(next).env?.find((x) => x.name === 'CATALOG_URL');
      if (e) e.value = value;
      return diffTemplates(base, next, 'shop').map(({ what, harm }) => ({ what, harm }));
    };
    expect(to('http://catalog.shop.svc.cluster.local:8080')[0].harm).toBe(0.03);
    expect(to('http://catalog.shop:8080')[0].harm).toBe(0.03);
    expect(to('http://catalog.other:8080')[0].harm).toBe(0.6);
    expect(to('http://catalog.shop.svc.cluster.local:8081')[0].harm).toBe(0.6);
    expect(to('http://currency:8080')[0].harm).toBe(0.6);
  });

  it('weighs a longer termination grace period (how pods stop, not how they run) at almost nothing', () => {
    const d = changed((t) => {
      if (t.spec) t.spec.terminationGracePeriodSeconds = 45;
    });
    expect(d).toEqual([{ what: 'terminationGracePeriodSeconds (none) → 45', harm: 0.03 }]);
  });

  it('weighs edits that can stop a service by how directly they do', () => {
    const url = changed((t) => {
      const e = c0(t).env?.find((x) => x.name === 'CATALOG_URL');
      if (e) e.value = 'http://catalog:8081';
    });
    expect(url).toEqual([{ what: expect.stringContaining('CATALOG_URL') as string, harm: 0.6 }]);
    const mem = changed((t) => {
      const l = c0(t).resources?.limits;
      if (l) l.memory = '32Mi';
    });
    expect(mem[0].harm).toBeGreaterThanOrEqual(0.7);
    const memUp = changed((t) => {
      const l = c0(t).resources?.limits;
      if (l) l.memory = '512Mi';
    });
    expect(memUp[0].harm).toBeLessThan(0.1);
    const cpuSlightly = changed((t) => {
      const l = c0(t).resources?.limits;
      if (l) l.cpu = '400m';
    });
    expect(cpuSlightly[0].harm).toBeLessThanOrEqual(0.3);
    expect(
      changed((t) => (c0(t).readinessProbe = { httpGet: { path: '/ready', port: 'http' } }))[0].harm,
    ).toBe(0.6);
    expect(changed((t) => (c0(t).args = ['cart-v2']))[0].harm).toBe(0.6);
    expect(changed((t) => t.spec && (t.spec.initContainers = [{ name: 'migrate' }]))[0].harm).toBe(0.6);
    expect(changed((t) => t.spec && (t.spec.nodeSelector = { disk: 'ssd' }))[0].harm).toBe(0.55);
  });

  it('calls a template that only restarted the pods a restart', () => {
    const d = diffTemplates(base, {
      ...structuredClone(base),
      metadata: {
        ...base.metadata,
        annotations: {
          ...base.metadata?.annotations,
          'kubectl.kubernetes.io/restartedAt': '2030-01-01T00:00:00Z',
        },
      },
    });
    expect(d.every((x) => x.restartOnly)).toBe(true);
    expect(diffTemplates(base, structuredClone(base))[0].restartOnly).toBe(true);
  });
});
