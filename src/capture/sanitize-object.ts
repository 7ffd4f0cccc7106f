import type { ObjectRecord } from '../bundle/records.js';
import type { KubeObject, PodSpec } from '../kube/kube-object.js';
import { allContainersOf } from '../kube/containers.js';
import { podSpecOf, podTemplateOf } from '../kube/pod-template.js';
import { objectKey } from '../kube/kube-object.js';
import { withApiDefaults } from '../kube/api-defaults.js';

/** Env vars that only wire the app to the testbed's machinery; an operator of a real shop would not have them. */
const MACHINERY_ENV = new Set(['FLAGS_URL', 'FLAGS_POLL_MS']);

/**
 * Kinds whose spec changes the API server counts in `metadata.generation`. A substrate's own store may
 * number every object; a cluster returns it only for these (pods too from 1.34's pod generation, left out:
 * what binds a pod is not a spec change there, and the local store cannot tell).
 */
const GENERATION_KINDS = new Set([
  'Deployment',
  'ReplicaSet',
  'StatefulSet',
  'DaemonSet',
  'Job',
  'CronJob',
  'HorizontalPodAutoscaler',
  'NetworkPolicy',
  'Ingress',
]);

const DROP_ANNOTATIONS = [/^kubectl\.kubernetes\.io\/last-applied-configuration$/, /firedrill/i];

function cleanMap(m: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!m) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(m)) if (!DROP_ANNOTATIONS.some((r) => r.test(k))) out[k] = v;
  return Object.keys(out).length > 0 ? out : undefined;
}

function cleanPodSpec(spec: PodSpec | undefined): void {
  for (const c of allContainersOf(spec)) {
    if (c.env) c.env = c.env.filter((e) => !MACHINERY_ENV.has(e.name));
  }
}

/**
 * An object as an agent may see it: with the fields the API server defaults (as a cluster returns it,
 * whatever substrate stored it), the generation of workload kinds, no Secret values (keys only), no managedFields or last-applied blobs,
 * none of firedrill's bookkeeping, and no wiring to the testbed's settings service.
 */
export function sanitizeObject(obj: KubeObject): ObjectRecord {
  const o = withApiDefaults(obj);
  const meta = o.metadata;
  const rec: ObjectRecord = {
    entity: objectKey(o),
    apiVersion: o.apiVersion,
    kind: o.kind,
    metadata: {
      name: meta.name,
      ...(meta.namespace ? { namespace: meta.namespace } : {}),
      ...(meta.uid ? { uid: meta.uid } : {}),
      ...(cleanMap(meta.labels) ? { labels: cleanMap(meta.labels) } : {}),
      ...(cleanMap(meta.annotations) ? { annotations: cleanMap(meta.annotations) } : {}),
      ...(meta.ownerReferences ? { ownerReferences: meta.ownerReferences } : {}),
      ...(meta.creationTimestamp ? { creationTimestamp: meta.creationTimestamp } : {}),
      ...(meta.generation !== undefined && GENERATION_KINDS.has(o.kind)
        ? { generation: meta.generation }
        : {}),
    },
  };
  if (o.kind === 'Secret') {
    const keys = [...Object.keys(o.data ?? {}), ...Object.keys(o.stringData ?? {})].sort();
    rec.data = Object.fromEntries(keys.map((k) => [k, '(redacted)']));
    return rec;
  }
  if (o.spec) {
    // A Pod's own spec, or a workload's template (what its pods run).
    cleanPodSpec(podSpecOf(o));
    const template = podTemplateOf(o);
    if (template?.metadata?.annotations) {
      const a = cleanMap(template.metadata.annotations);
      if (a) template.metadata.annotations = a;
      else delete template.metadata.annotations;
    }
    rec.spec = o.spec;
  }
  if (o.status) rec.status = o.status;
  if (o.data) rec.data = o.data;
  return rec;
}
