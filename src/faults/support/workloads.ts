import { formatEntityId, type EntityRef } from '../../entities/entity-id.js';
import { InvalidInputError } from '../../errors/invalid-input-error.js';
import type { ObjectApi } from '../../platform/object-api.js';
import { containersOf } from '../../kube/containers.js';
import { podSpecOf } from '../../kube/pod-template.js';
import { isPostgresImage, isRedisImage } from '../../platform/data-stores.js';
import { requireObject } from './object-snapshot.js';

export { isPostgresImage, isRedisImage, runsDataStore } from '../../platform/data-stores.js';

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
