import type { Container, PodSpec } from './kube-object.js';

/** A pod spec's app containers (not its init containers); none when there is no spec. */
export function containersOf(spec: PodSpec | undefined): Container[] {
  return spec?.containers ?? [];
}

/** Init containers first, then app containers: every container of the pod, in the order they start. */
export function allContainersOf(spec: PodSpec | undefined): Container[] {
  return [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])];
}

/** The number of the container port called `name` among `containers` (how Services and probes resolve a named port). */
export function namedPort(containers: readonly Container[], name: string): number | undefined {
  for (const c of containers) {
    const p = c.ports?.find((x) => x.name === name);
    if (p) return p.containerPort;
  }
  return undefined;
}
