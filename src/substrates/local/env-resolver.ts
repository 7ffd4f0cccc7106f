import type { Container, EnvVar, KubeObject, Volume } from '../../kube/kube-object.js';
import { podSpecOf } from '../../kube/pod-template.js';
import { asService } from '../../kube/typed-objects.js';
import { expandVars } from '../../manifests/resolve-env.js';

export class ConfigRefError extends Error {
  constructor(
    message: string,
    readonly reason: 'CreateContainerConfigError',
  ) {
    super(message);
  }
}

export interface ResolveContext {
  pod: KubeObject;
  podIp: string;
  lookup(kind: 'ConfigMap' | 'Secret' | 'Service', namespace: string, name: string): KubeObject | undefined;
  /** Extra host:port → address rewrites for in-cluster names that the local substrate serves itself. */
  aliases: Record<string, string>;
  /** mountPath → local directory, for env values that point into mounted volumes. */
  mounts: Record<string, string>;
  /**
   * The container resolves names at the cluster DNS (dns-shim.ts): Service names stay in its environment
   * as written. Otherwise they are replaced by the Service's ClusterIP, for processes that cannot use it.
   */
  clusterDns?: boolean;
}

const decode = (b64: string): string => Buffer.from(b64, 'base64').toString('utf8');

/**
 * Resolves a container's environment the way kubelet does (values, fieldRef, secretKeyRef,
 * configMapKeyRef, `$(VAR)` expansion). Names the substrate serves itself (aliases) become its local
 * address; without the cluster DNS, in-cluster Service names in values become the Service's local ClusterIP.
 */
export function resolveEnv(container: Container, ctx: ResolveContext): Record<string, string> {
  const ns = ctx.pod.metadata.namespace ?? 'default';
  const env: Record<string, string> = {};
  for (const e of container.env ?? []) {
    const v = resolveOne(e, ns, ctx, env);
    if (v !== undefined) env[e.name] = v;
  }
  for (const [k, v] of Object.entries(env)) env[k] = rewriteMounts(rewriteHosts(v, ns, ctx), ctx.mounts);
  return env;
}

function resolveOne(
  e: EnvVar,
  ns: string,
  ctx: ResolveContext,
  sofar: Record<string, string>,
): string | undefined {
  if (e.value !== undefined) return expandVars(e.value, sofar);
  const from = e.valueFrom;
  if (!from) return '';
  if (from.fieldRef) {
    const p = from.fieldRef.fieldPath;
    if (p === 'metadata.name') return ctx.pod.metadata.name;
    if (p === 'metadata.namespace') return ns;
    if (p === 'status.podIP') return ctx.podIp;
    if (p === 'spec.nodeName') return podSpecOf(ctx.pod)?.nodeName ?? '';
    if (p.startsWith('metadata.labels[')) return ctx.pod.metadata.labels?.[p.slice(17, -2)] ?? '';
    return '';
  }
  const ref = from.secretKeyRef ?? from.configMapKeyRef;
  if (ref) {
    const kind = from.secretKeyRef ? 'Secret' : 'ConfigMap';
    // An unset name is the empty one, as the API server defaults it.
    const name = ref.name ?? '';
    const obj = ctx.lookup(kind, ns, name);
    const raw = obj?.data?.[ref.key] ?? obj?.stringData?.[ref.key];
    if (raw === undefined) {
      if (ref.optional) return undefined;
      const what = kind === 'Secret' ? 'secret' : 'configmap';
      throw new ConfigRefError(
        obj ? `couldn't find key ${ref.key} in ${kind} ${ns}/${name}` : `${what} "${name}" not found`,
        'CreateContainerConfigError',
      );
    }
    return kind === 'Secret' && obj?.data?.[ref.key] !== undefined ? decode(raw) : raw;
  }
  return '';
}

const HOST_RE = /(^|\/\/)([a-z0-9]([-a-z0-9]*[a-z0-9])?)((?:\.[a-z0-9-]+)*)(:\d+)?(?=[/?#]|$)/g;

function rewriteHosts(value: string, ns: string, ctx: ResolveContext): string {
  return value.replace(
    HOST_RE,
    (whole, lead: string, name: string, _x: string, rest: string, port?: string) => {
      const parts = rest.split('.').filter(Boolean);
      // name, name.ns, name.ns.svc, name.ns.svc.cluster.local
      const okTail =
        parts.length <= 1 ||
        (parts[1] === 'svc' && (parts.length === 2 || parts.slice(2).join('.') === 'cluster.local'));
      if (!okTail) return whole;
      const svcNs = parts[0] ?? ns;
      const alias = ctx.aliases[`${name}.${svcNs}${port ?? ''}`];
      if (alias) return `${lead}${alias}`;
      if (ctx.clusterDns) return whole;
      const svc = ctx.lookup('Service', svcNs, name);
      const ip = asService(svc)?.spec?.clusterIP;
      if (!ip || ip === 'None') return whole;
      return `${lead}${ip}${port ?? ''}`;
    },
  );
}

function rewriteMounts(value: string, mounts: Record<string, string>): string {
  for (const [mountPath, local] of Object.entries(mounts)) {
    if (value === mountPath || value.startsWith(mountPath.endsWith('/') ? mountPath : `${mountPath}/`)) {
      return local + value.slice(mountPath.length);
    }
  }
  return value;
}

/** Files a volume projects: key → content, or a ConfigRefError when the source object is missing. */
export function volumeFiles(
  vol: Volume,
  ns: string,
  lookup: ResolveContext['lookup'],
): Record<string, string> | undefined {
  const src = vol.configMap
    ? {
        kind: 'ConfigMap' as const,
        name: vol.configMap.name ?? '',
        items: vol.configMap.items,
        optional: vol.configMap.optional,
      }
    : vol.secret
      ? {
          kind: 'Secret' as const,
          name: vol.secret.secretName ?? '',
          items: vol.secret.items,
          optional: vol.secret.optional,
        }
      : undefined;
  if (!src) return undefined;
  const obj = lookup(src.kind, ns, src.name);
  if (!obj) {
    if (src.optional) return {};
    throw new ConfigRefError(
      `${src.kind === 'Secret' ? 'secret' : 'configmap'} "${src.name}" not found`,
      'CreateContainerConfigError',
    );
  }
  const data: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj.data ?? {})) data[k] = src.kind === 'Secret' ? decode(v) : v;
  if (!src.items) return data;
  const out: Record<string, string> = {};
  for (const it of src.items) if (data[it.key] !== undefined) out[it.path] = data[it.key];
  return out;
}
