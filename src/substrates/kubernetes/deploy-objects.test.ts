import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { containersOf } from '../../kube/containers.js';
import { podSpecOf, podTemplateOf } from '../../kube/pod-template.js';
import { ALERTMANAGER_CONFIG_FILE, RULES_DIR } from '../../manifests/paths.js';
import { loadVersions } from '../../versions/versions.js';
import {
  CONFIG_HASH_ANNOTATION,
  deploymentObjects,
  observabilityObjects,
  shopImageOf,
  shopObjects,
} from './deploy-objects.js';

const templateAnnotations = (objects: Awaited<ReturnType<typeof observabilityObjects>>, name: string) =>
  podTemplateOf(objects.find((o) => o.kind === 'Deployment' && o.metadata.name === name))?.metadata
    ?.annotations ?? {};

describe('deploy objects', () => {
  it('fills the rules ConfigMap from manifests/rules and the Alertmanager one from its config file', async () => {
    const objects = await observabilityObjects();
    const rules = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'prometheus-rules');
    expect(Object.keys(rules?.data ?? {}).sort()).toEqual(['kubernetes.rules.yaml', 'shop.rules.yaml']);
    expect(rules?.data?.['shop.rules.yaml']).toBe(await readFile(join(RULES_DIR, 'shop.rules.yaml'), 'utf8'));
    const am = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'alertmanager-config');
    expect(am?.data).toEqual({ 'alertmanager.yml': await readFile(ALERTMANAGER_CONFIG_FILE, 'utf8') });
  });

  it('annotates pod templates with a hash of their ConfigMaps that changes when a rule changes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'firedrill-rules-'));
    try {
      await cp(RULES_DIR, dir, { recursive: true });
      const before = await observabilityObjects({ rulesDir: dir });
      const file = join(dir, 'shop.rules.yaml');
      await writeFile(file, `${await readFile(file, 'utf8')}\n# changed\n`);
      const after = await observabilityObjects({ rulesDir: dir });
      const h = (o: typeof before, name: string) => templateAnnotations(o, name)[CONFIG_HASH_ANNOTATION];
      expect(h(before, 'prometheus')).toMatch(/^[0-9a-f]{16}$/);
      expect(h(after, 'prometheus')).not.toBe(h(before, 'prometheus'));
      expect(h(after, 'alertmanager')).toBe(h(before, 'alertmanager'));
      // kube-state-metrics mounts no ConfigMap.
      expect(h(before, 'kube-state-metrics')).toBeUndefined();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('orders everything for creation, namespaces first and workloads after their configuration', async () => {
    const objects = await deploymentObjects();
    const kinds = objects.map((o) => o.kind);
    expect(kinds.slice(0, 3)).toEqual(['Namespace', 'Namespace', 'Namespace']);
    expect(kinds.lastIndexOf('ConfigMap')).toBeLessThan(kinds.indexOf('Deployment'));
    expect(kinds.lastIndexOf('ClusterRoleBinding')).toBeLessThan(kinds.indexOf('Deployment'));
    const names = objects.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name);
    expect(names.sort()).toEqual(['firedrill-system', 'observability', 'shop']);
  });

  it('can run the shop from another image (one a remote cluster can pull)', async () => {
    const original = shopImageOf(await shopObjects());
    expect(original).toBe(loadVersions().images.shop.image);
    const objects = await shopObjects({ shopImage: 'registry.example.com/acme/shop:0.1.0' });
    const images = objects
      .filter((o) => o.kind === 'Deployment')
      .flatMap((o) => containersOf(podSpecOf(o)).map((c) => c.image));
    expect(images.filter((i) => i === 'registry.example.com/acme/shop:0.1.0')).toHaveLength(12);
    expect(images).not.toContain(original);
    expect(images).toContain(loadVersions().images.redis.image);
  });
});
