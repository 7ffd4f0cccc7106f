import type { Labels, ObjectRecord } from '../../src/bundle/records.js';
import { tryParseEntityId, type EntityId } from '../../src/entities/index.js';

/** Loose views of the object fields the agent reads; snapshots are sanitized JSON, so every field is optional. */
export interface ContainerSpec {
  name?: string;
  image?: string;
  command?: string[];
  args?: string[];
  env?: Array<{
    name?: string;
    value?: string;
    valueFrom?: {
      secretKeyRef?: { name?: string; key?: string };
      configMapKeyRef?: { name?: string; key?: string };
    };
  }>;
  envFrom?: Array<{ secretRef?: { name?: string }; configMapRef?: { name?: string } }>;
  ports?: Array<{ name?: string; containerPort?: number; protocol?: string }>;
  resources?: { limits?: Record<string, string | number>; requests?: Record<string, string | number> };
  readinessProbe?: ProbeSpec;
  livenessProbe?: ProbeSpec;
  startupProbe?: ProbeSpec;
  volumeMounts?: Array<{ name?: string; mountPath?: string; readOnly?: boolean }>;
}

export interface ProbeSpec {
  httpGet?: { path?: string; port?: string | number };
  tcpSocket?: { port?: string | number };
  exec?: { command?: string[] };
  grpc?: { port?: number };
  [k: string]: unknown;
}

export interface PodSpec {
  containers?: ContainerSpec[];
  initContainers?: ContainerSpec[];
  volumes?: Array<{
    name?: string;
    configMap?: { name?: string };
    secret?: { secretName?: string };
    persistentVolumeClaim?: { claimName?: string };
    projected?: { sources?: Array<{ configMap?: { name?: string }; secret?: { name?: string } }> };
  }>;
  nodeSelector?: Labels;
  nodeName?: string;
  dnsPolicy?: string;
  dnsConfig?: { nameservers?: string[] };
  affinity?: unknown;
  tolerations?: unknown[];
  [k: string]: unknown;
}

export interface PodTemplate {
  metadata?: { labels?: Labels; annotations?: Labels };
  spec?: PodSpec;
}

export interface LabelSelector {
  matchLabels?: Labels;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}

export function specOf<T>(o: ObjectRecord | undefined | null): T {
  return (o?.spec ?? {}) as unknown as T;
}

export function statusOf<T>(o: ObjectRecord | undefined | null): T {
  return (o?.status ?? {}) as unknown as T;
}

/** A Kubernetes label selector against a label set; an empty selector matches nothing unless `emptyMatchesAll`. */
export function selectorMatches(
  sel: LabelSelector | Labels | undefined | null,
  labels: Labels | undefined,
  emptyMatchesAll = false,
): boolean {
  if (!sel) return emptyMatchesAll;
  const ls: LabelSelector =
    'matchLabels' in sel || 'matchExpressions' in sel
      ? (sel as LabelSelector)
      : { matchLabels: sel as Labels };
  const ml = ls.matchLabels ?? {};
  const exprs = ls.matchExpressions ?? [];
  if (Object.keys(ml).length === 0 && exprs.length === 0) return emptyMatchesAll;
  const l = labels ?? {};
  for (const [k, v] of Object.entries(ml)) if (l[k] !== v) return false;
  for (const e of exprs) {
    const has = Object.prototype.hasOwnProperty.call(l, e.key);
    const vals = e.values ?? [];
    switch (e.operator) {
      case 'In':
        if (!has || !vals.includes(l[e.key])) return false;
        break;
      case 'NotIn':
        if (has && vals.includes(l[e.key])) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

export interface IdParts {
  namespace?: string;
  kind: string;
  name: string;
}

/** Canonical parts of an entity id, tolerating ids the parser rejects (kinds it does not know). */
export function idParts(id: EntityId): IdParts {
  const r = tryParseEntityId(id);
  if (r.ok) return r.ref;
  const parts = id.split('/');
  if (parts.length >= 3) return { namespace: parts[0], kind: parts[1], name: parts.slice(2).join('/') };
  if (parts.length === 2) return { kind: parts[0], name: parts[1] };
  return { kind: 'Unknown', name: id };
}

export function makeId(namespace: string | undefined, kind: string, name: string): EntityId {
  const r = tryParseEntityId(namespace ? `${namespace}/${kind}/${name}` : `${kind}/${name}`);
  if (r.ok) return r.id;
  return namespace ? `${namespace}/${kind}/${name}` : `${kind}/${name}`;
}

/** Kubernetes quantity as a number (cores for CPU, bytes for memory): firedrill's own parser, pure. */
export { parseQuantity as quantity } from '../../src/kube/kube-object.js';
