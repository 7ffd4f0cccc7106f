import { createHash } from 'node:crypto';
import type { Container, KubeObject, PodSpec, Probe } from './kube-object.js';
import { podTemplateOf } from './pod-template.js';
import { isKind } from './typed-objects.js';

/** Where the ServiceAccount admission plugin mounts a pod's API token. */
export const SERVICE_ACCOUNT_MOUNT = '/var/run/secrets/kubernetes.io/serviceaccount';

/**
 * An object with the fields the API server fills in when it stores one (the v1 defaulting functions and
 * the admission plugins every cluster runs: ServiceAccount, DefaultTolerationSeconds, Priority), where
 * they are missing. What is set is never changed, so an object read from a cluster comes back as it was;
 * a substrate that stores objects itself (the local one) shows them as a cluster would.
 */
export function withApiDefaults(obj: KubeObject): KubeObject {
  const o = structuredClone(obj);
  const template = podTemplateOf(o);
  if (template?.spec) defaultPodSpec(template.spec, false);
  if (isKind(o, 'Pod') && o.spec) {
    defaultPodSpec(o.spec, true);
    defaultPodOnly(o.spec, o.metadata.uid ?? o.metadata.name);
  }
  if (isKind(o, 'Deployment') && o.spec) {
    o.spec.replicas ??= 1;
    o.spec.revisionHistoryLimit ??= 10;
    o.spec.progressDeadlineSeconds ??= 600;
    o.spec.strategy ??= { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } };
  }
  if (isKind(o, 'ReplicaSet') && o.spec) o.spec.replicas ??= 1;
  if (isKind(o, 'Job') && o.spec) {
    o.spec.backoffLimit ??= 6;
    o.spec.completions ??= 1;
    o.spec.parallelism ??= 1;
    o.spec.completionMode ??= 'NonIndexed';
    o.spec.suspend ??= false;
  }
  if (isKind(o, 'CronJob') && o.spec) {
    o.spec.concurrencyPolicy ??= 'Allow';
    o.spec.suspend ??= false;
    o.spec.successfulJobsHistoryLimit ??= 3;
    o.spec.failedJobsHistoryLimit ??= 1;
    const jobTemplate = o.spec.jobTemplate.spec?.template.spec;
    if (jobTemplate) defaultPodSpec(jobTemplate, false);
  }
  if (isKind(o, 'Service') && o.spec) {
    const spec = o.spec;
    spec.type ??= 'ClusterIP';
    spec.sessionAffinity ??= 'None';
    if (spec.type === 'ClusterIP' || spec.type === 'NodePort' || spec.type === 'LoadBalancer') {
      if (spec.clusterIP && spec.clusterIP !== 'None') spec.clusterIPs ??= [spec.clusterIP];
      spec.ipFamilies ??= ['IPv4'];
      spec.ipFamilyPolicy ??= 'SingleStack';
      spec.internalTrafficPolicy ??= 'Cluster';
    }
    for (const p of spec.ports ?? []) {
      p.protocol ??= 'TCP';
      p.targetPort ??= p.port;
    }
  }
  return o;
}

function defaultPodSpec(spec: PodSpec, pod: boolean): void {
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.restartPolicy ??= 'Always';
  spec.schedulerName ??= 'default-scheduler';
  spec.securityContext ??= {};
  spec.terminationGracePeriodSeconds ??= 30;
  for (const c of [...(spec.initContainers ?? []), ...spec.containers]) defaultContainer(c, pod);
}

function defaultContainer(c: Container, pod: boolean): void {
  c.imagePullPolicy ??= imagePullPolicyFor(c.image);
  c.terminationMessagePath ??= '/dev/termination-log';
  c.terminationMessagePolicy ??= 'File';
  c.resources ??= {};
  for (const p of c.ports ?? []) p.protocol ??= 'TCP';
  for (const probe of [c.livenessProbe, c.readinessProbe, c.startupProbe]) if (probe) defaultProbe(probe);
  // A pod's container requests what it is limited to when it asks for nothing (SetDefaults_Pod).
  if (pod && c.resources.limits && !c.resources.requests) c.resources.requests = { ...c.resources.limits };
}

function defaultProbe(p: Probe): void {
  p.timeoutSeconds ??= 1;
  p.periodSeconds ??= 10;
  p.successThreshold ??= 1;
  p.failureThreshold ??= 3;
  if (p.httpGet) p.httpGet.scheme ??= 'HTTP';
}

/** `:latest` or no tag pulls every time; any other tag or a digest only when missing. */
function imagePullPolicyFor(image: string | undefined): 'Always' | 'IfNotPresent' {
  if (!image) return 'IfNotPresent';
  if (image.includes('@')) return 'IfNotPresent';
  const last = image.slice(image.lastIndexOf('/') + 1);
  const tag = last.includes(':') ? last.slice(last.indexOf(':') + 1) : 'latest';
  return tag === 'latest' ? 'Always' : 'IfNotPresent';
}

/** What only a Pod gets, from admission: its service account and token volume, tolerations, priority. */
function defaultPodOnly(spec: PodSpec, seed: string): void {
  spec.enableServiceLinks ??= true;
  spec.serviceAccountName ??= 'default';
  spec.serviceAccount ??= spec.serviceAccountName;
  spec.priority ??= 0;
  spec.preemptionPolicy ??= 'PreemptLowerPriority';
  const tolerations = spec.tolerations ?? [];
  for (const key of ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable'])
    if (!tolerations.some((t) => t.key === key))
      tolerations.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 });
  spec.tolerations = tolerations;
  if (spec.automountServiceAccountToken === false) return;
  const volumes = spec.volumes ?? [];
  if (volumes.some((v) => v.name.startsWith('kube-api-access-'))) return;
  const name = `kube-api-access-${tokenVolumeSuffix(seed)}`;
  volumes.push({
    name,
    projected: {
      defaultMode: 420,
      sources: [
        { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
        { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        {
          downwardAPI: {
            items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }],
          },
        },
      ],
    },
  });
  spec.volumes = volumes;
  for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
    const mounts = c.volumeMounts ?? [];
    mounts.push({ name, mountPath: SERVICE_ACCOUNT_MOUNT, readOnly: true });
    c.volumeMounts = mounts;
  }
}

/** Five characters of the API server's random-name alphabet, the same for the same pod every time. */
function tokenVolumeSuffix(seed: string): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  const h = createHash('sha256').update(`kube-api-access/${seed}`).digest();
  return Array.from(h.subarray(0, 5), (b) => alphabet[b % alphabet.length]).join('');
}
