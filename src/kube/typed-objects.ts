import type { IDaemonSetSpec } from 'kubernetes-models/apps/v1/DaemonSetSpec';
import type { IDaemonSetStatus } from 'kubernetes-models/apps/v1/DaemonSetStatus';
import type { IDeploymentSpec } from 'kubernetes-models/apps/v1/DeploymentSpec';
import type { IDeploymentStatus } from 'kubernetes-models/apps/v1/DeploymentStatus';
import type { IReplicaSetSpec } from 'kubernetes-models/apps/v1/ReplicaSetSpec';
import type { IReplicaSetStatus } from 'kubernetes-models/apps/v1/ReplicaSetStatus';
import type { IStatefulSetSpec } from 'kubernetes-models/apps/v1/StatefulSetSpec';
import type { IStatefulSetStatus } from 'kubernetes-models/apps/v1/StatefulSetStatus';
import type { IHorizontalPodAutoscalerSpec } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscalerSpec';
import type { IHorizontalPodAutoscalerStatus } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscalerStatus';
import type { ICronJobSpec } from 'kubernetes-models/batch/v1/CronJobSpec';
import type { ICronJobStatus } from 'kubernetes-models/batch/v1/CronJobStatus';
import type { IJobSpec } from 'kubernetes-models/batch/v1/JobSpec';
import type { IJobStatus } from 'kubernetes-models/batch/v1/JobStatus';
import type { INetworkPolicySpec } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicySpec';
import type { IClusterRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole';
import type { IClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IEvent } from 'kubernetes-models/v1/Event';
import type { INodeSpec } from 'kubernetes-models/v1/NodeSpec';
import type { INodeStatus } from 'kubernetes-models/v1/NodeStatus';
import type { IPersistentVolumeClaimSpec } from 'kubernetes-models/v1/PersistentVolumeClaimSpec';
import type { IPersistentVolumeClaimStatus } from 'kubernetes-models/v1/PersistentVolumeClaimStatus';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import type { IPodStatus } from 'kubernetes-models/v1/PodStatus';
import type { ILimitRangeSpec } from 'kubernetes-models/v1/LimitRangeSpec';
import type { IResourceQuotaSpec } from 'kubernetes-models/v1/ResourceQuotaSpec';
import type { IResourceQuotaStatus } from 'kubernetes-models/v1/ResourceQuotaStatus';
import type { ISecret } from 'kubernetes-models/v1/Secret';
import type { IServiceSpec } from 'kubernetes-models/v1/ServiceSpec';
import type { IServiceStatus } from 'kubernetes-models/v1/ServiceStatus';
import type { KubeObject } from './kube-object.js';

/**
 * The library's interfaces re-stated as type literals: an interface has no index signature, so it is not
 * assignable to KubeObject's `Record<string, unknown>` spec and status, whereas the same fields as a mapped
 * type are. Nested fields keep the library's types.
 */
type Fields<T> = { [K in keyof T]: T[K] };

/** A kind's top-level fields besides the type and object metadata (ConfigMap data, Event reason...). */
type Body<T> = Fields<Omit<T, 'apiVersion' | 'kind' | 'metadata'>>;

/*
 * Typed views of the kinds firedrill reads and writes: a KubeObject whose `kind` names it, with the
 * library's fields for that kind. Reach one from a KubeObject through isKind/asKind (or asDeployment...),
 * which check `kind`, never through a cast.
 */

export interface Deployment extends KubeObject {
  kind: 'Deployment';
  spec?: Fields<IDeploymentSpec>;
  status?: Fields<IDeploymentStatus>;
}

export interface ReplicaSet extends KubeObject {
  kind: 'ReplicaSet';
  spec?: Fields<IReplicaSetSpec>;
  status?: Fields<IReplicaSetStatus>;
}

export interface StatefulSet extends KubeObject {
  kind: 'StatefulSet';
  spec?: Fields<IStatefulSetSpec>;
  status?: Fields<IStatefulSetStatus>;
}

export interface DaemonSet extends KubeObject {
  kind: 'DaemonSet';
  spec?: Fields<IDaemonSetSpec>;
  status?: Fields<IDaemonSetStatus>;
}

export interface Job extends KubeObject {
  kind: 'Job';
  spec?: Fields<IJobSpec>;
  status?: Fields<IJobStatus>;
}

export interface CronJob extends KubeObject {
  kind: 'CronJob';
  spec?: Fields<ICronJobSpec>;
  status?: Fields<ICronJobStatus>;
}

export interface Pod extends KubeObject {
  kind: 'Pod';
  spec?: Fields<IPodSpec>;
  status?: Fields<IPodStatus>;
}

export interface Service extends KubeObject {
  kind: 'Service';
  spec?: Fields<IServiceSpec>;
  status?: Fields<IServiceStatus>;
}

export interface ConfigMap extends KubeObject, Body<IConfigMap> {
  kind: 'ConfigMap';
}

export interface Secret extends KubeObject, Body<ISecret> {
  kind: 'Secret';
}

export interface Node extends KubeObject {
  kind: 'Node';
  spec?: Fields<INodeSpec>;
  status?: Fields<INodeStatus>;
}

export interface NetworkPolicy extends KubeObject {
  kind: 'NetworkPolicy';
  spec?: Fields<INetworkPolicySpec>;
}

export interface ResourceQuota extends KubeObject {
  kind: 'ResourceQuota';
  spec?: Fields<IResourceQuotaSpec>;
  status?: Fields<IResourceQuotaStatus>;
}

export interface LimitRange extends KubeObject {
  kind: 'LimitRange';
  spec?: Fields<ILimitRangeSpec>;
}

export interface HorizontalPodAutoscaler extends KubeObject {
  kind: 'HorizontalPodAutoscaler';
  spec?: Fields<IHorizontalPodAutoscalerSpec>;
  status?: Fields<IHorizontalPodAutoscalerStatus>;
}

export interface PersistentVolumeClaim extends KubeObject {
  kind: 'PersistentVolumeClaim';
  spec?: Fields<IPersistentVolumeClaimSpec>;
  status?: Fields<IPersistentVolumeClaimStatus>;
}

export interface Event extends KubeObject, Body<IEvent> {
  kind: 'Event';
}

export interface ClusterRole extends KubeObject, Body<IClusterRole> {
  kind: 'ClusterRole';
}

export interface ClusterRoleBinding extends KubeObject, Body<IClusterRoleBinding> {
  kind: 'ClusterRoleBinding';
}

/** Each typed view by its `kind`. */
export interface KindMap {
  Deployment: Deployment;
  ReplicaSet: ReplicaSet;
  StatefulSet: StatefulSet;
  DaemonSet: DaemonSet;
  Job: Job;
  CronJob: CronJob;
  Pod: Pod;
  Service: Service;
  ConfigMap: ConfigMap;
  Secret: Secret;
  Node: Node;
  NetworkPolicy: NetworkPolicy;
  ResourceQuota: ResourceQuota;
  LimitRange: LimitRange;
  HorizontalPodAutoscaler: HorizontalPodAutoscaler;
  PersistentVolumeClaim: PersistentVolumeClaim;
  Event: Event;
  ClusterRole: ClusterRole;
  ClusterRoleBinding: ClusterRoleBinding;
}

export type KubeKind = keyof KindMap;

/**
 * Whether the object is of `kind`, and so has that kind's fields. The API server (and the manifests'
 * schema checks) hold every object to its kind's schema, so `kind` is all there is to check.
 */
export function isKind<K extends KubeKind>(obj: KubeObject, kind: K): obj is KindMap[K] {
  return obj.kind === kind;
}

/** Whether the object is of one of `kinds`. */
export function isKindIn<K extends KubeKind>(obj: KubeObject, kinds: readonly K[]): obj is KindMap[K] {
  return kinds.some((k) => k === obj.kind);
}

/** The object as its typed view when it is of `kind`, else undefined. */
export function asKind<K extends KubeKind>(obj: KubeObject | undefined, kind: K): KindMap[K] | undefined {
  return obj && isKind(obj, kind) ? obj : undefined;
}

/** The objects of `kind` among `objects`, as their typed view. */
export function ofKind<K extends KubeKind>(objects: readonly KubeObject[], kind: K): Array<KindMap[K]> {
  return objects.filter((o): o is KindMap[K] => isKind(o, kind));
}

export const asDeployment = (obj: KubeObject | undefined): Deployment | undefined =>
  asKind(obj, 'Deployment');
export const asReplicaSet = (obj: KubeObject | undefined): ReplicaSet | undefined =>
  asKind(obj, 'ReplicaSet');
export const asJob = (obj: KubeObject | undefined): Job | undefined => asKind(obj, 'Job');
export const asCronJob = (obj: KubeObject | undefined): CronJob | undefined => asKind(obj, 'CronJob');
export const asPod = (obj: KubeObject | undefined): Pod | undefined => asKind(obj, 'Pod');
export const asService = (obj: KubeObject | undefined): Service | undefined => asKind(obj, 'Service');
export const asConfigMap = (obj: KubeObject | undefined): ConfigMap | undefined => asKind(obj, 'ConfigMap');
export const asSecret = (obj: KubeObject | undefined): Secret | undefined => asKind(obj, 'Secret');
export const asNode = (obj: KubeObject | undefined): Node | undefined => asKind(obj, 'Node');
export const asNetworkPolicy = (obj: KubeObject | undefined): NetworkPolicy | undefined =>
  asKind(obj, 'NetworkPolicy');
export const asResourceQuota = (obj: KubeObject | undefined): ResourceQuota | undefined =>
  asKind(obj, 'ResourceQuota');
export const asHorizontalPodAutoscaler = (obj: KubeObject | undefined): HorizontalPodAutoscaler | undefined =>
  asKind(obj, 'HorizontalPodAutoscaler');
export const asPersistentVolumeClaim = (obj: KubeObject | undefined): PersistentVolumeClaim | undefined =>
  asKind(obj, 'PersistentVolumeClaim');
export const asEvent = (obj: KubeObject | undefined): Event | undefined => asKind(obj, 'Event');
