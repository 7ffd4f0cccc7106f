import { formatEntityId, type EntityRef } from '../../entities/entity-id.js';
import { InvalidInputError } from '../../errors/invalid-input-error.js';
import type { KubeObject } from '../../kube/kube-object.js';
import type { ObjectApi } from '../../platform/object-api.js';
import { containersOf } from '../../kube/containers.js';
import { podSpecOf } from '../../kube/pod-template.js';
import { requireObject } from './object-snapshot.js';

/**
 * The shop service a Deployment runs (its containers' SHOP_SERVICE), which names its runtime settings
 * `<service>.<setting>`. A Deployment that runs no shop service (Redis, say) cannot take an app fault, and
 * setting a flag nobody reads would stage an incident that never happens.
 */
export async function shopServiceOf(objects: ObjectApi, ref: EntityRef): Promise<string> {
  const deploy = await requireObject(objects, ref);
  for (const c of containersOf(podSpecOf(deploy))) {
    const v = c.env?.find((e) => e.name === 'SHOP_SERVICE')?.value;
    if (v) return v;
  }
  throw new InvalidInputError(
    `${formatEntityId(ref)} runs no shop service (no container sets SHOP_SERVICE), so it reads no runtime settings; target one of the shop's service Deployments`,
  );
}

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

/**
 * Checks that the target is the Deployment running Redis. Redis faults act on the shop's Redis through its
 * own protocol, so the target only names the root cause; naming anything else would record a false one.
 */
export async function requireRedisDeployment(objects: ObjectApi, ref: EntityRef): Promise<void> {
  const deploy = await requireObject(objects, ref);
  if (!containersOf(podSpecOf(deploy)).some((c) => isRedisImage(c.image))) {
    throw new InvalidInputError(
      `${formatEntityId(ref)} does not run Redis (no container uses the redis image); target the Redis Deployment, e.g. shop/Deployment/redis`,
    );
  }
}

/**
 * Checks that the target is the Deployment running PostgreSQL. PostgreSQL faults act on the shop's database
 * through its own protocol (as its superuser), so the target only names the root cause; naming anything
 * else would record a false one.
 */
export async function requirePostgresDeployment(objects: ObjectApi, ref: EntityRef): Promise<void> {
  const deploy = await requireObject(objects, ref);
  if (!containersOf(podSpecOf(deploy)).some((c) => isPostgresImage(c.image))) {
    throw new InvalidInputError(
      `${formatEntityId(ref)} does not run PostgreSQL (no container uses the postgres image); target the PostgreSQL Deployment, e.g. shop/Deployment/postgres`,
    );
  }
}
