import type { IDeploymentSpec } from 'kubernetes-models/apps/v1/DeploymentSpec';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IContainerPort } from 'kubernetes-models/v1/ContainerPort';
import type { IContainerStatus } from 'kubernetes-models/v1/ContainerStatus';
import type { IEnvVar } from 'kubernetes-models/v1/EnvVar';
import type { IPod } from 'kubernetes-models/v1/Pod';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import type { IPodTemplateSpec } from 'kubernetes-models/v1/PodTemplateSpec';
import type { IProbe } from 'kubernetes-models/v1/Probe';
import type { IServicePort } from 'kubernetes-models/v1/ServicePort';
import type { IServiceSpec } from 'kubernetes-models/v1/ServiceSpec';
import type { IVolume } from 'kubernetes-models/v1/Volume';

/*
 * Kubernetes objects as plain JSON (what the API server returns and what the manifests hold). Timestamps
 * are RFC 3339 strings, unlike client-node's model classes (Date), so objects survive JSON round trips.
 * The field types are kubernetes-models' interfaces, which describe that same JSON; they are imported as
 * types only, so the library is never loaded at run time.
 */

/** Metadata as the API server returns it; every object firedrill handles has a name. */
export interface ObjectMeta extends NonNullable<IPod['metadata']> {
  name: string;
}

export type OwnerReference = NonNullable<ObjectMeta['ownerReferences']>[number];

/** Any object, whatever its kind: what lists, apply and the manifests carry. Typed views per kind are in typed-objects.ts. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  [key: string]: unknown;
}

export type EnvVar = IEnvVar;
export type Probe = IProbe;
export type Container = IContainer;
export type ContainerPort = IContainerPort;
export type ContainerStatus = IContainerStatus;
export type Volume = IVolume;
export type PodSpec = IPodSpec;
export type PodTemplate = IPodTemplateSpec;
export type LabelSelector = IDeploymentSpec['selector'];
export type DeploymentSpec = IDeploymentSpec;
export type ServiceSpec = IServiceSpec;
export type ServicePort = IServicePort;

/**
 * Whether a parsed document has what every object needs (apiVersion, kind, metadata.name). The rest of
 * it is taken as the JSON of its kind, as the API server would take it.
 */
export function isKubeObject(value: unknown): value is KubeObject {
  if (!isRecord(value) || !isRecord(value.metadata)) return false;
  const { apiVersion, kind, metadata } = value;
  return (
    typeof apiVersion === 'string' &&
    apiVersion !== '' &&
    typeof kind === 'string' &&
    kind !== '' &&
    typeof metadata.name === 'string' &&
    metadata.name !== '' &&
    (metadata.namespace === undefined || typeof metadata.namespace === 'string')
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `namespace/Kind/name` key for an object (the same shape as entity ids). */
export function objectKey(obj: { kind: string; metadata: { name: string; namespace?: string } }): string {
  return obj.metadata.namespace
    ? `${obj.metadata.namespace}/${obj.kind}/${obj.metadata.name}`
    : `${obj.kind}/${obj.metadata.name}`;
}

export function labelsMatch(
  selector: Record<string, string> | undefined,
  labels: Record<string, string> | undefined,
): boolean {
  if (!selector || Object.keys(selector).length === 0) return false;
  const l = labels ?? {};
  return Object.entries(selector).every(([k, v]) => l[k] === v);
}

/** Kubernetes quantity ("192Mi", "0.5", "500m", "1G") to a number in base units (bytes or cores). */
export function parseQuantity(q: string | number | undefined): number | undefined {
  if (q === undefined) return undefined;
  if (typeof q === 'number') return q;
  const m = /^([0-9.]+)([a-zA-Z]*)$/.exec(q.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  const mult: Record<string, number> = {
    '': 1,
    m: 1e-3,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    Ki: 1024,
    Mi: 1024 ** 2,
    Gi: 1024 ** 3,
    Ti: 1024 ** 4,
  };
  const f = mult[m[2]];
  return f === undefined ? undefined : n * f;
}
