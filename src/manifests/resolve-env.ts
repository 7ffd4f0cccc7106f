import { ManifestError } from '../errors/manifest-error.js';
import type { Container, EnvVar } from '../kube/kube-object.js';
import type { K8sObject } from './k8s-object.js';
import { describeObject, sourceOf } from './load-manifests.js';

/** What the kubelet would know about the pod a container runs in. */
export interface EnvContext {
  podName: string;
  namespace: string;
  /** Objects to look Secrets and ConfigMaps up in (usually everything loadManifests returned). */
  objects: readonly K8sObject[];
  /** Further downward-API fields (`spec.nodeName`, `status.podIP`...), by fieldPath. */
  fields?: Readonly<Record<string, string>>;
  /** The workload the env belongs to; named in error messages. */
  owner?: K8sObject;
}

/**
 * The environment a container would see, resolved the way the kubelet does: plain values (with
 * `$(VAR)` references to variables defined earlier in the list), downward-API fieldRefs, and keys of
 * Secrets and ConfigMaps in the pod's namespace. A missing object or key is an error unless the
 * reference is `optional`. This is how the local substrate runs the shop from the same manifests.
 */
export function resolveEnv(env: readonly EnvVar[] | undefined, ctx: EnvContext): Record<string, string> {
  const out: Record<string, string> = {};
  const problems: string[] = [];
  for (const v of env ?? []) {
    const resolved = resolveOne(v, ctx, out);
    if (typeof resolved === 'string') out[v.name] = resolved;
    else if (resolved.problem) problems.push(`env ${v.name}: ${resolved.problem}`);
  }
  if (problems.length > 0) throw envError(ctx.owner, problems);
  return out;
}

/** `command` followed by `args`, with `$(VAR)` references expanded from the container's resolved env. */
export function resolveCommand(container: Container, env: Readonly<Record<string, string>>): string[] {
  return [...(container.command ?? []), ...(container.args ?? [])].map((a) => expandVars(a, env));
}

/**
 * Kubernetes' dependent-variable expansion: `$(NAME)` becomes the value of NAME when it is defined and
 * stays as written when it is not; `$$` is an escaped `$`.
 */
export function expandVars(text: string, vars: Readonly<Record<string, string>>): string {
  return text.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (match, name: string | undefined) => {
    if (match === '$$') return '$';
    return name !== undefined && Object.hasOwn(vars, name) ? (vars[name] as string) : match;
  });
}

type Resolution = string | { problem?: string };

function resolveOne(v: EnvVar, ctx: EnvContext, earlier: Record<string, string>): Resolution {
  if (v.valueFrom === undefined) return expandVars(v.value ?? '', earlier);
  const { fieldRef, secretKeyRef, configMapKeyRef } = v.valueFrom;
  if (fieldRef) {
    if (fieldRef.fieldPath === 'metadata.name') return ctx.podName;
    if (fieldRef.fieldPath === 'metadata.namespace') return ctx.namespace;
    const field = ctx.fields?.[fieldRef.fieldPath];
    return field ?? { problem: `fieldRef ${fieldRef.fieldPath} is not available here` };
  }
  if (secretKeyRef) return lookupKey('Secret', secretKeyRef, ctx);
  if (configMapKeyRef) return lookupKey('ConfigMap', configMapKeyRef, ctx);
  return {
    problem: 'valueFrom names no source firedrill can resolve (fieldRef, secretKeyRef, configMapKeyRef)',
  };
}

function lookupKey(
  kind: 'Secret' | 'ConfigMap',
  ref: { name?: string; key: string; optional?: boolean },
  ctx: EnvContext,
): Resolution {
  const obj = ctx.objects.find(
    (o) => o.kind === kind && o.metadata.name === ref.name && (o.metadata.namespace ?? '') === ctx.namespace,
  );
  const value = obj ? keyValue(obj, ref.key) : undefined;
  if (value !== undefined) return value;
  if (ref.optional) return {};
  return obj
    ? { problem: `${kind} ${ctx.namespace}/${ref.name} has no key "${ref.key}"` }
    : { problem: `${kind} ${ctx.namespace}/${ref.name} does not exist` };
}

function keyValue(obj: K8sObject, key: string): string | undefined {
  // stringData wins over data, as the API server merges it on write.
  const plain = obj.stringData?.[key];
  if (plain !== undefined) return plain;
  const data = obj.data?.[key];
  if (data === undefined) return undefined;
  return obj.kind === 'Secret' ? Buffer.from(data, 'base64').toString('utf8') : data;
}

function envError(owner: K8sObject | undefined, problems: string[]): ManifestError {
  const src = owner ? sourceOf(owner) : undefined;
  const who = owner ? `${describeObject(owner)}: ` : '';
  return new ManifestError(
    problems.map((message) => ({
      file: src?.file ?? '(manifest)',
      line: src?.line ?? 0,
      col: 0,
      message: src ? message : `${who}${message}`,
    })),
  );
}
