/**
 * What a fault type may need from the substrate it runs on, and what a substrate provides. A scenario
 * runs on every registered substrate that provides all its faults need, so a new substrate is its folder
 * plus one registration, and a new fault type says what it relies on instead of naming substrates.
 */
export const CAPABILITIES = {
  objects: 'Kubernetes API objects: get, list, apply, delete',
  settings: "the app's run-time settings (the flags service)",
  'redis-admin': "an operator's access to the app's Redis over its own protocol",
  'postgres-admin': "an operator's access to the app's PostgreSQL as its superuser, over its own protocol",
  rollouts: 'a Deployment controller that rolls a changed pod template out through ReplicaSets',
  'pod-lifecycle':
    'a kubelet that restarts crashed containers with back-off, enforces memory limits (OOMKilled) and replaces deleted pods',
  'image-pulls': 'a kubelet that pulls images from a registry (a missing tag fails with ErrImagePull)',
  'release-builds':
    "newer builds of the app's image to roll out as routine releases (`<release>-<n>-g<hash>` tags of the shop image)",
  probes: 'readiness and liveness probes as declared in the pod spec, with their Events',
  'init-containers': 'init containers run to completion before the app container starts',
  secrets: "Secrets injected into a container's env and volumes when it starts, as the kubelet does",
  scheduling: 'a scheduler that honours nodeSelector and cordoned Nodes',
  'network-policy': 'a pod network that enforces NetworkPolicies',
  'cluster-dns': "cluster DNS as the pod's dnsPolicy/dnsConfig sets it",
  'cpu-limits': 'CPU limits enforced by CFS quota (throttling)',
  'admission-quota': 'ResourceQuota and LimitRange admission',
  autoscaling: 'a HorizontalPodAutoscaler controller fed by resource metrics',
  jobs: 'a Job controller that runs batch pods to completion',
  'volume-binding': 'PersistentVolumeClaims a pod waits for',
  'service-routing': "Service traffic routed by the Service's selector and targetPort (kube-proxy)",
  'network-chaos':
    'delay, loss, corruption, bandwidth limits and partitions between two workloads (Chaos Mesh NetworkChaos; locally the Service proxies)',
  'dns-chaos':
    "one workload's lookups of chosen Service names failing or answered wrong (Chaos Mesh DNSChaos; locally the substrate's cluster DNS and Service proxies)",
  'stress-chaos':
    "CPU and memory stressors beside a workload's container, counted in its usage (Chaos Mesh StressChaos; locally a neighbour process)",
  'io-chaos': "latency on the file operations of a container's volume (Chaos Mesh IOChaos)",
  'time-chaos': "a container's clocks moved (Chaos Mesh TimeChaos)",
} as const;

export type Capability = keyof typeof CAPABILITIES;

export const CAPABILITY_NAMES = Object.keys(CAPABILITIES) as Capability[];

/** The capabilities the chaos engine provides (`FaultTarget.chaos`): Kubernetes installs Chaos Mesh for them. */
export const CHAOS_CAPABILITIES: readonly Capability[] = [
  'network-chaos',
  'dns-chaos',
  'stress-chaos',
  'io-chaos',
  'time-chaos',
];

export function isCapability(name: string): name is Capability {
  return Object.hasOwn(CAPABILITIES, name);
}
