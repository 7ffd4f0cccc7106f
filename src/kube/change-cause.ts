import { containersOf } from './containers.js';
import type { Container, KubeObject } from './kube-object.js';
import { podTemplateOf } from './pod-template.js';

/** The annotation `kubectl --record` (and most deploy pipelines) write, copied to each new ReplicaSet. */
export const CHANGE_CAUSE = 'kubernetes.io/change-cause';

const RESTARTED_AT = 'kubectl.kubernetes.io/restartedAt';

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

function withoutRestartMark(template: unknown): unknown {
  const t = structuredClone(template) as { metadata?: { annotations?: Record<string, string> } } | undefined;
  const annotations = t?.metadata?.annotations;
  if (t?.metadata && annotations) {
    delete annotations[RESTARTED_AT];
    if (Object.keys(annotations).length === 0) delete t.metadata.annotations;
  }
  return t;
}

function envArgs(before: Container, after: Container): string[] | undefined {
  const old = new Map((before.env ?? []).map((e) => [e.name, e]));
  const now = new Map((after.env ?? []).map((e) => [e.name, e]));
  const args: string[] = [];
  for (const [name, e] of now) {
    if (same(old.get(name), e)) continue;
    // A value from a Secret or ConfigMap key is set with --from, which names no single value: an edit.
    if (e.valueFrom) return undefined;
    args.push(`${name}=${e.value ?? ''}`);
  }
  for (const name of old.keys()) if (!now.has(name)) args.push(`${name}-`);
  return args;
}

function resourceArgs(before: Container, after: Container): string[] {
  const args: string[] = [];
  for (const part of ['limits', 'requests'] as const) {
    const a = before.resources?.[part] ?? {};
    const b = after.resources?.[part] ?? {};
    const changed = Object.keys(b)
      .filter((k) => !same(a[k], b[k]))
      .sort()
      .map((k) => `${k}=${String(b[k])}`);
    if (changed.length > 0) args.push(`--${part}=${changed.join(',')}`);
  }
  return args;
}

/** Everything of a container but what `kubectl set env/image/resources` change. */
function rest(c: Container): Omit<Container, 'env' | 'image' | 'resources'> {
  const { env: _env, image: _image, resources: _resources, ...others } = c;
  return others;
}

function nameOf(deploy: KubeObject): string {
  return `${deploy.kind.toLowerCase()}/${deploy.metadata.name}`;
}

/**
 * The command an operator would have run to make this change to a workload's pod template, worded as
 * `kubectl --record` writes it into `kubernetes.io/change-cause`: `set image`, `set env`, `set resources`,
 * `rollout restart`, or `apply -f` for anything else (probes, volumes, scheduling). Undefined when the
 * template did not change (a scale, a label): no new ReplicaSet, nothing to record.
 *
 * One function words every change, the testbed's faults and its routine background alike, so the wording
 * of a rollout's cause never tells which of the two made it.
 */
export function describeTemplateChange(
  before: KubeObject | undefined,
  after: KubeObject,
): string | undefined {
  const a = podTemplateOf(before);
  const b = podTemplateOf(after);
  if (!b || same(a, b)) return undefined;
  const target = nameOf(after);
  if (!a) return `kubectl apply -f ${after.metadata.name}.yaml`;
  if (same(withoutRestartMark(a), withoutRestartMark(b))) return `kubectl rollout restart ${target}`;

  const was = containersOf(a.spec);
  const now = containersOf(b.spec);
  const restOfPod = (t: typeof a): unknown => {
    const copy = structuredClone(withoutRestartMark(t)) as { spec?: { containers?: unknown } };
    if (copy.spec) delete copy.spec.containers;
    return copy;
  };
  const structural =
    was.length !== now.length ||
    was.some((c, i) => c.name !== now[i].name || !same(rest(c), rest(now[i]))) ||
    !same(restOfPod(a), restOfPod(b));
  if (structural) return `kubectl apply -f ${after.metadata.name}.yaml`;

  const images: string[] = [];
  const env: string[] = [];
  const resources: string[] = [];
  let editedEnv = false;
  for (const [i, c] of now.entries()) {
    const old = was[i];
    if (c.image !== old.image) images.push(`${c.name}=${c.image ?? ''}`);
    if (!same(old.env, c.env)) {
      const args = envArgs(old, c);
      if (args === undefined) editedEnv = true;
      else env.push(...args);
    }
    if (!same(old.resources, c.resources)) {
      const args = resourceArgs(old, c);
      if (args.length > 0) resources.push(...(now.length > 1 ? [`-c=${c.name}`] : []), ...args);
    }
  }
  const kinds = [images, env, resources].filter((x) => x.length > 0).length + (editedEnv ? 1 : 0);
  if (kinds !== 1 || editedEnv) return `kubectl apply -f ${after.metadata.name}.yaml`;
  if (images.length > 0) return `kubectl set image ${target} ${images.join(' ')}`;
  if (env.length > 0) return `kubectl set env ${target} ${env.join(' ')}`;
  if (resources.length > 0) return `kubectl set resources ${target} ${resources.join(' ')}`;
  return `kubectl apply -f ${after.metadata.name}.yaml`;
}
