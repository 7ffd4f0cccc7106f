import { InvalidInputError } from '../errors/invalid-input-error.js';

/** Where a kind lives in the Kubernetes REST API. */
export interface ApiResource {
  kind: string;
  /** `v1` for the core group, else `group/version`. */
  apiVersion: string;
  /** Plural, lower-case resource name as it appears in paths. */
  resource: string;
  namespaced: boolean;
}

/**
 * Every kind firedrill reads or writes, with the version it uses. A fixed table instead of discovery: the
 * set is small and known, lookups cost no request, and a typo in a kind fails here with the list of
 * known kinds instead of as a 404 from the server.
 */
const TABLE: readonly ApiResource[] = [
  { kind: 'Namespace', apiVersion: 'v1', resource: 'namespaces', namespaced: false },
  { kind: 'Node', apiVersion: 'v1', resource: 'nodes', namespaced: false },
  { kind: 'PersistentVolume', apiVersion: 'v1', resource: 'persistentvolumes', namespaced: false },
  { kind: 'Pod', apiVersion: 'v1', resource: 'pods', namespaced: true },
  { kind: 'Service', apiVersion: 'v1', resource: 'services', namespaced: true },
  { kind: 'Endpoints', apiVersion: 'v1', resource: 'endpoints', namespaced: true },
  { kind: 'ConfigMap', apiVersion: 'v1', resource: 'configmaps', namespaced: true },
  { kind: 'Secret', apiVersion: 'v1', resource: 'secrets', namespaced: true },
  { kind: 'ServiceAccount', apiVersion: 'v1', resource: 'serviceaccounts', namespaced: true },
  {
    kind: 'PersistentVolumeClaim',
    apiVersion: 'v1',
    resource: 'persistentvolumeclaims',
    namespaced: true,
  },
  { kind: 'Event', apiVersion: 'v1', resource: 'events', namespaced: true },
  { kind: 'ResourceQuota', apiVersion: 'v1', resource: 'resourcequotas', namespaced: true },
  { kind: 'LimitRange', apiVersion: 'v1', resource: 'limitranges', namespaced: true },
  { kind: 'Deployment', apiVersion: 'apps/v1', resource: 'deployments', namespaced: true },
  { kind: 'ReplicaSet', apiVersion: 'apps/v1', resource: 'replicasets', namespaced: true },
  { kind: 'StatefulSet', apiVersion: 'apps/v1', resource: 'statefulsets', namespaced: true },
  { kind: 'DaemonSet', apiVersion: 'apps/v1', resource: 'daemonsets', namespaced: true },
  { kind: 'Job', apiVersion: 'batch/v1', resource: 'jobs', namespaced: true },
  { kind: 'CronJob', apiVersion: 'batch/v1', resource: 'cronjobs', namespaced: true },
  {
    kind: 'HorizontalPodAutoscaler',
    apiVersion: 'autoscaling/v2',
    resource: 'horizontalpodautoscalers',
    namespaced: true,
  },
  {
    kind: 'NetworkPolicy',
    apiVersion: 'networking.k8s.io/v1',
    resource: 'networkpolicies',
    namespaced: true,
  },
  { kind: 'Ingress', apiVersion: 'networking.k8s.io/v1', resource: 'ingresses', namespaced: true },
  {
    kind: 'PodDisruptionBudget',
    apiVersion: 'policy/v1',
    resource: 'poddisruptionbudgets',
    namespaced: true,
  },
  { kind: 'EndpointSlice', apiVersion: 'discovery.k8s.io/v1', resource: 'endpointslices', namespaced: true },
  { kind: 'Role', apiVersion: 'rbac.authorization.k8s.io/v1', resource: 'roles', namespaced: true },
  {
    kind: 'RoleBinding',
    apiVersion: 'rbac.authorization.k8s.io/v1',
    resource: 'rolebindings',
    namespaced: true,
  },
  {
    kind: 'ClusterRole',
    apiVersion: 'rbac.authorization.k8s.io/v1',
    resource: 'clusterroles',
    namespaced: false,
  },
  {
    kind: 'ClusterRoleBinding',
    apiVersion: 'rbac.authorization.k8s.io/v1',
    resource: 'clusterrolebindings',
    namespaced: false,
  },
  {
    kind: 'CustomResourceDefinition',
    apiVersion: 'apiextensions.k8s.io/v1',
    resource: 'customresourcedefinitions',
    namespaced: false,
  },
  {
    kind: 'MutatingWebhookConfiguration',
    apiVersion: 'admissionregistration.k8s.io/v1',
    resource: 'mutatingwebhookconfigurations',
    namespaced: false,
  },
  {
    kind: 'ValidatingWebhookConfiguration',
    apiVersion: 'admissionregistration.k8s.io/v1',
    resource: 'validatingwebhookconfigurations',
    namespaced: false,
  },
  // Chaos Mesh (installed on Kubernetes substrates for the chaos fault types).
  { kind: 'NetworkChaos', apiVersion: 'chaos-mesh.org/v1alpha1', resource: 'networkchaos', namespaced: true },
  { kind: 'DNSChaos', apiVersion: 'chaos-mesh.org/v1alpha1', resource: 'dnschaos', namespaced: true },
  { kind: 'StressChaos', apiVersion: 'chaos-mesh.org/v1alpha1', resource: 'stresschaos', namespaced: true },
  { kind: 'IOChaos', apiVersion: 'chaos-mesh.org/v1alpha1', resource: 'iochaos', namespaced: true },
  { kind: 'TimeChaos', apiVersion: 'chaos-mesh.org/v1alpha1', resource: 'timechaos', namespaced: true },
];

const BY_KIND = new Map(TABLE.map((r) => [r.kind, r]));

export const KNOWN_KINDS: readonly string[] = TABLE.map((r) => r.kind);

/**
 * The resource for a kind. `apiVersion` (from an object being applied) overrides the table's version,
 * keeping its resource name and scope: `autoscaling/v1` HorizontalPodAutoscalers go to the v1 path.
 */
export function apiResource(kind: string, apiVersion?: string): ApiResource {
  const r = BY_KIND.get(kind);
  if (!r) {
    throw new InvalidInputError(
      `firedrill does not know the Kubernetes kind "${kind}"; known kinds: ${KNOWN_KINDS.join(', ')} (src/kube/api-resources.ts)`,
    );
  }
  return apiVersion && apiVersion !== r.apiVersion ? { ...r, apiVersion } : r;
}

/** `/api/v1` for the core group, `/apis/<group>/<version>` otherwise. */
export function groupVersionPath(apiVersion: string): string {
  return apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
}

/**
 * Path of one object (`name` given) or of a collection. A namespaced collection without a namespace is
 * the all-namespaces list (`/api/v1/pods`); a namespace given for a cluster-scoped kind is ignored.
 */
export function resourcePath(r: ApiResource, namespace?: string, name?: string): string {
  if (r.namespaced && name !== undefined && !namespace) {
    throw new InvalidInputError(`${r.kind} ${name}: a namespace is required`);
  }
  const parts = [groupVersionPath(r.apiVersion)];
  if (r.namespaced && namespace) parts.push('namespaces', encodeURIComponent(namespace));
  parts.push(r.resource);
  if (name !== undefined) parts.push(encodeURIComponent(name));
  return parts.join('/');
}

/** `a=1,b=2`, keys sorted so the same selector always gives the same query. */
export function labelSelector(selector: Record<string, string>): string {
  return Object.keys(selector)
    .sort()
    .map((k) => `${k}=${selector[k]}`)
    .join(',');
}
