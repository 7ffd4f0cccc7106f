import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { loadManifests, MANIFESTS_DIR, type K8sObject } from '../../src/manifests/index.js';
import type { Container, DeploymentSpec, PodSpec, PodTemplate } from '../../src/kube/kube-object.js';

/**
 * Folders under manifests/ that hold other formats: Prometheus rule files, Alertmanager config and the kind
 * cluster config (validated by tests/kube/kind-cluster-config.test.ts).
 */
const NOT_KUBERNETES = new Set(['rules', 'alertmanager', 'kind']);
/**
 * A third-party chart rendered as it ships (scripts/render-chaos-mesh.sh): not held to the shop's rules
 * (probes, non-root...); its installer's tests apply it, and a real API server checks it (make test-apiserver).
 */
const THIRD_PARTY = new Set(['chaos-mesh']);

/** Every folder below manifests/ holding Kubernetes YAML, so a new folder is validated without a test change. */
export async function kubernetesManifestDirs(root: string = MANIFESTS_DIR): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    if (entries.some((e) => e.isFile() && /\.ya?ml$/.test(e.name))) out.push(dir);
    for (const e of entries) {
      if (!e.isDirectory()) continue;
      if (dir === root && (NOT_KUBERNETES.has(e.name) || THIRD_PARTY.has(e.name))) continue;
      await walk(join(dir, e.name));
    }
  };
  await walk(root);
  return out.sort();
}

export async function loadAllManifests(): Promise<K8sObject[]> {
  const dirs = await kubernetesManifestDirs();
  const all: K8sObject[] = [];
  for (const d of dirs) all.push(...(await loadManifests(d)));
  return all;
}

export const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);

export interface Workload {
  object: K8sObject;
  spec: DeploymentSpec;
  template: PodTemplate;
  /** The template's pod spec (none declared reads as no containers). */
  podSpec: PodSpec;
  containers: Container[];
}

export function workloads(objects: readonly K8sObject[]): Workload[] {
  return objects
    .filter((o) => WORKLOAD_KINDS.has(o.kind))
    .map((object) => {
      const spec = object.spec as unknown as DeploymentSpec;
      const template = spec.template;
      const podSpec = template.spec ?? { containers: [] };
      return {
        object,
        spec,
        template,
        podSpec,
        containers: [...(podSpec.initContainers ?? []), ...podSpec.containers],
      };
    });
}

/** Kinds whose pods run to completion: no ports, no probes, no selector of their own in the manifest. */
export const BATCH_KINDS = new Set(['Job', 'CronJob']);

/** A pod template in the manifests, from a long-running workload or a (Cron)Job. */
export interface PodTemplateOf {
  object: K8sObject;
  template: PodTemplate;
  /** The template's pod spec (none declared reads as no containers). */
  podSpec: PodSpec;
  containers: Container[];
  /** Run to completion (Job, CronJob) rather than kept running. */
  batch: boolean;
}

interface JobSpecLike {
  template: PodTemplate;
}

/** Every pod template: what the container checks (images, resources, env, security) apply to. */
export function podTemplates(objects: readonly K8sObject[]): PodTemplateOf[] {
  const out: PodTemplateOf[] = workloads(objects).map((w) => ({ ...w, batch: false }));
  for (const object of objects) {
    if (!BATCH_KINDS.has(object.kind)) continue;
    const spec = object.spec as unknown as { jobTemplate?: { spec: JobSpecLike } } & JobSpecLike;
    const template = object.kind === 'CronJob' ? spec.jobTemplate?.spec.template : spec.template;
    if (!template) throw new Error(`${object.kind} ${object.metadata.name} has no pod template`);
    const podSpec = template.spec ?? { containers: [] };
    out.push({
      object,
      template,
      podSpec,
      containers: [...(podSpec.initContainers ?? []), ...podSpec.containers],
      batch: true,
    });
  }
  return out;
}

export function relativeToRoot(path: string): string {
  return relative(MANIFESTS_DIR, path);
}
