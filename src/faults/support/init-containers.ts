import { formatEntityId } from '../../entities/entity-id.js';
import { InvalidInputError } from '../../errors/invalid-input-error.js';
import type { Container, KubeObject } from '../../kube/kube-object.js';
import { containerOf, requirePodSpec } from './object-snapshot.js';

/** A container name as Kubernetes requires it: a DNS-1123 label. */
export const CONTAINER_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const CONTAINER_NAME_MESSAGE = 'must be a container name (lower-case letters, digits and "-")';

/**
 * Appends an init container running `command` (a `node -e` script) to a Deployment's pod template, after
 * any it already has, as an operator adding a pre-start step would. It reuses the source container's image
 * (nothing new is pulled), pull policy, resources (so scheduling does not change) and security context
 * (so it passes the same admission as the app). The source must run node, since the script needs it; a
 * name already used by a container of the pod is refused, since the API server would refuse it.
 */
export function addNodeInitContainer(
  deploy: KubeObject,
  opts: { source: string | undefined; name: string; command: string[] },
): void {
  const src = containerOf(deploy, opts.source);
  const id = formatEntityId({
    namespace: deploy.metadata.namespace,
    kind: deploy.kind,
    name: deploy.metadata.name,
  });
  const command = src.command ?? [];
  if (typeof command[0] !== 'string' || !/(^|\/)node$/.test(command[0])) {
    throw new InvalidInputError(
      `container "${src.name}" of ${id} does not run node (command: ${command.length > 0 ? command.join(' ') : 'the image default'}), so its image cannot run the init step; target a shop service`,
    );
  }
  const spec = requirePodSpec(deploy);
  if ([...spec.containers, ...(spec.initContainers ?? [])].some((c) => c.name === opts.name)) {
    throw new InvalidInputError(`${id} already has a container named "${opts.name}"; choose another name`);
  }
  const init: Container = { name: opts.name, image: src.image, command: opts.command };
  if (src.imagePullPolicy !== undefined) init.imagePullPolicy = src.imagePullPolicy;
  if (src.resources !== undefined) init.resources = structuredClone(src.resources);
  if (src.securityContext !== undefined) init.securityContext = structuredClone(src.securityContext);
  (spec.initContainers ??= []).push(init);
}
