import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidInputError } from '../../errors/invalid-input-error.js';
import { containersOf } from '../../kube/containers.js';
import { podSpecOf, podTemplateOf } from '../../kube/pod-template.js';
import { volumeRefsOf } from '../../kube/pod-references.js';
import { asDeployment } from '../../kube/typed-objects.js';
import { applyOrder } from '../../manifests/apply-order.js';
import type { K8sObject } from '../../manifests/k8s-object.js';
import { loadManifests } from '../../manifests/load-manifests.js';
import {
  ALERTMANAGER_CONFIG_FILE,
  MANIFESTS_DIR,
  RULES_DIR,
  SHOP_MANIFESTS_DIR,
} from '../../manifests/paths.js';
import { loadRuleFiles, rulesConfigMap } from '../../manifests/rule-files.js';

export const OBSERVABILITY_NAMESPACE = 'observability';
export const OBSERVABILITY_MANIFESTS_DIR = join(MANIFESTS_DIR, 'observability');
/** ConfigMaps of manifests/observability whose `data` is filled at deploy time. */
export const RULES_CONFIGMAP = 'prometheus-rules';
export const ALERTMANAGER_CONFIGMAP = 'alertmanager-config';
/**
 * Pod-template annotation carrying a hash of the ConfigMaps a Deployment mounts, so a changed rule file or
 * config rolls Prometheus/Alertmanager/Jaeger (they do not reload mounted files by themselves).
 */
export const CONFIG_HASH_ANNOTATION = 'firedrill.dev/config-hash';

export interface DeploySources {
  observabilityDir?: string;
  shopDir?: string;
  rulesDir?: string;
  alertmanagerConfigFile?: string;
  /** Runs the shop from this image instead of the manifests' (e.g. pushed to a registry a remote cluster can reach). */
  shopImage?: string;
}

/**
 * The observability stack as deployed: manifests/observability with the rules ConfigMap filled from
 * manifests/rules/*.rules.yaml and the Alertmanager ConfigMap from manifests/alertmanager/alertmanager.yml,
 * and each Deployment's pod template annotated with the hash of the ConfigMaps it mounts.
 */
export async function observabilityObjects(src: DeploySources = {}): Promise<K8sObject[]> {
  const objects = await loadManifests(src.observabilityDir ?? OBSERVABILITY_MANIFESTS_DIR);
  const rules = await rulesConfigMap(await loadRuleFiles(src.rulesDir ?? RULES_DIR), {
    name: RULES_CONFIGMAP,
    namespace: OBSERVABILITY_NAMESPACE,
  });
  fill(objects, RULES_CONFIGMAP, rules.data ?? {});
  fill(objects, ALERTMANAGER_CONFIGMAP, {
    'alertmanager.yml': await readFile(src.alertmanagerConfigFile ?? ALERTMANAGER_CONFIG_FILE, 'utf8'),
  });
  annotateConfigHashes(objects);
  return objects;
}

/** The shop and its harness (manifests/shop), optionally with another shop image. */
export async function shopObjects(src: DeploySources = {}): Promise<K8sObject[]> {
  const objects = await loadManifests(src.shopDir ?? SHOP_MANIFESTS_DIR);
  if (src.shopImage) {
    const original = shopImageOf(objects);
    for (const o of objects) {
      for (const c of containersOf(podSpecOf(asDeployment(o)))) {
        if (c.image === original) c.image = src.shopImage;
      }
    }
  }
  return objects;
}

/** Everything a Kubernetes substrate applies, in creation order (namespaces first). */
export async function deploymentObjects(src: DeploySources = {}): Promise<K8sObject[]> {
  return applyOrder([...(await observabilityObjects(src)), ...(await shopObjects(src))]);
}

/** The image the shop's Deployments run (the one the frontend uses). */
export function shopImageOf(objects: readonly K8sObject[]): string | undefined {
  const frontend = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'frontend');
  return containersOf(podSpecOf(frontend))[0]?.image;
}

function fill(objects: K8sObject[], name: string, data: Record<string, string>): void {
  const cm = objects.find(
    (o) =>
      o.kind === 'ConfigMap' && o.metadata.name === name && o.metadata.namespace === OBSERVABILITY_NAMESPACE,
  );
  if (!cm) {
    throw new InvalidInputError(
      `manifests/observability has no ConfigMap ${OBSERVABILITY_NAMESPACE}/${name} to fill at deploy time`,
    );
  }
  cm.data = data;
}

function annotateConfigHashes(objects: K8sObject[]): void {
  const configMaps = new Map(
    objects
      .filter((o) => o.kind === 'ConfigMap')
      .map((o) => [`${o.metadata.namespace}/${o.metadata.name}`, o]),
  );
  for (const d of objects) {
    const template = podTemplateOf(asDeployment(d));
    if (!template) continue;
    const names = volumeRefsOf(template.spec)
      .filter((r) => r.kind === 'ConfigMap')
      .map((r) => r.name)
      .sort();
    if (names.length === 0) continue;
    const hash = createHash('sha256');
    for (const n of names) {
      const data = configMaps.get(`${d.metadata.namespace}/${n}`)?.data ?? {};
      for (const key of Object.keys(data).sort()) hash.update(`${n}\0${key}\0${data[key]}\0`);
    }
    template.metadata ??= {};
    template.metadata.annotations = {
      ...(template.metadata.annotations ?? {}),
      [CONFIG_HASH_ANNOTATION]: hash.digest('hex').slice(0, 16),
    };
  }
}
