import { containersOf } from '../kube/containers.js';
import type { KubeObject } from '../kube/kube-object.js';
import { podSpecOf } from '../kube/pod-template.js';

/** Whether an image reference names the Redis image (`redis:7.0.15`, `docker.io/library/redis@sha256:…`). */
export function isRedisImage(image: unknown): boolean {
  return typeof image === 'string' && /(^|\/)redis([:@]|$)/.test(image);
}

/** Whether an image reference names the PostgreSQL image (`postgres:15`, `docker.io/library/postgres@sha256:…`). */
export function isPostgresImage(image: unknown): boolean {
  return typeof image === 'string' && /(^|\/)postgres([:@]|$)/.test(image);
}

/**
 * Whether a Deployment runs the shop's data stores (Redis, PostgreSQL): a restart empties them (no
 * persistence), which would itself be an incident, so routine activity leaves them alone.
 */
export function runsDataStore(deploy: KubeObject | undefined): boolean {
  return containersOf(podSpecOf(deploy)).some((c) => isRedisImage(c.image) || isPostgresImage(c.image));
}
