import { z } from 'zod';
import { formatEntityId } from '../../entities/entity-id.js';
import { InvalidInputError } from '../../errors/invalid-input-error.js';
import { containersOf } from '../../kube/containers.js';
import type { KubeObject } from '../../kube/kube-object.js';
import { podSpecOf } from '../../kube/pod-template.js';
import type { ObjectApi } from '../../platform/object-api.js';
import type { FaultType, Undo } from '../fault-type.js';
import { planChange } from '../support/object-snapshot.js';
import { deletePodsOf } from '../support/restart-pods.js';
import { injectOrRollBack, runAll } from '../support/roll-back.js';
import { secretReaders } from '../support/secret-readers.js';
import { isRedisImage } from '../support/workloads.js';

const params = z.strictObject({
  key: z
    .string()
    .regex(/^[-._a-zA-Z0-9]+$/, 'must be a Secret key (letters, digits, -, _ and .)')
    .default('password')
    .meta({ description: 'Secret key whose value is changed' }),
  value: z.string().optional().meta({
    description:
      'The wrong value; default the current one with a trailing newline, as `echo` instead of `echo -n` leaves it',
  }),
  restart: z.boolean().default(true).meta({
    description:
      'Delete the pods of the Deployments that read the Secret, so they start with the new value (Redis itself is left alone)',
  }),
});
type Params = z.output<typeof params>;

/**
 * The Deployments to restart: those that read the key, except Redis. Redis takes its password from the
 * same Secret at start, so restarting it would move the server to the wrong value along with its clients
 * and nothing would break; left running, it keeps the value its clients no longer send.
 */
async function readersOf(objects: ObjectApi, namespace: string | undefined, secret: string, key: string) {
  return (await secretReaders(objects, namespace, secret, key)).filter(
    (d) => !containersOf(podSpecOf(d)).some((c) => isRedisImage(c.image)),
  );
}

/**
 * Sets the key to the wrong value in `secret` (the copy to apply). Values are compared and written as
 * bytes and never put in a message. A key given in stringData (only a fake server returns one) moves to
 * data, since stringData would win over it on a real server.
 */
function corrupt(secret: KubeObject, id: string, p: Params): void {
  if (secret.immutable === true) {
    throw new InvalidInputError(`Secret ${id} is immutable; the API server refuses changes to its data`);
  }
  const encoded = secret.data?.[p.key];
  const plain = secret.stringData?.[p.key];
  if (encoded === undefined && plain === undefined) {
    const keys = [...Object.keys(secret.data ?? {}), ...Object.keys(secret.stringData ?? {})].sort();
    throw new InvalidInputError(
      `Secret ${id} has no key "${p.key}"${keys.length > 0 ? `; its keys: ${keys.join(', ')}` : ''}`,
    );
  }
  const current = encoded !== undefined ? Buffer.from(encoded, 'base64') : Buffer.from(plain ?? '', 'utf8');
  const next =
    p.value !== undefined ? Buffer.from(p.value, 'utf8') : Buffer.concat([current, Buffer.from('\n')]);
  if (next.equals(current)) {
    throw new InvalidInputError(
      `value is what key "${p.key}" of Secret ${id} holds already; nothing would change`,
    );
  }
  secret.data = { ...(secret.data ?? {}), [p.key]: next.toString('base64') };
  if (secret.stringData && plain !== undefined) {
    delete secret.stringData[p.key];
    if (Object.keys(secret.stringData).length === 0) delete secret.stringData;
  }
}

/**
 * A credential changed in its Secret but not where it is checked: the Secret's key gets a wrong value and
 * the workloads reading it are restarted, so they start with a value the server (Redis, which keeps the
 * one it started with) refuses. Values never reach a log line or a message.
 */
export const secretCorruption: FaultType<Params> = {
  id: 'secret-corruption',
  description:
    'Changes one key of the target Secret to a wrong value and restarts the pods of the Deployments that read it.',
  params,
  needs: ['objects', 'secrets', 'pod-lifecycle'],
  targetKinds: ['Secret'],
  groundTruth: (target) => [formatEntityId(target)],
  expectedAlerts: () => ['ShopDependencyErrors', 'KubePodNotReady'],
  async inject(ctx) {
    const { objects } = ctx.target;
    const { key, restart } = ctx.params;
    const id = formatEntityId(ctx.entity);
    // Everything that can be refused is decided before the first write.
    const plan = await planChange(objects, ctx.entity, (s) => corrupt(s, id, ctx.params));
    const readers = restart ? await readersOf(objects, ctx.entity.namespace, ctx.entity.name, key) : [];
    if (restart && readers.length === 0) {
      throw new InvalidInputError(
        `no Deployment in namespace ${ctx.entity.namespace ?? ''} reads key "${key}" of Secret ${id} (Redis is never restarted), so the change would break nothing; set restart: false to change the Secret alone`,
      );
    }
    let restarted = false;
    const undo: Undo = {
      description: `restore Secret ${id}${readers.length > 0 ? ' and restart the pods that read it' : ''}`,
      undo: async () => {
        await plan.restore();
        // Pods started while the wrong value was in place hold it in their environment until they restart.
        if (restarted) await runAll(readers.map((d) => () => deletePodsOf(objects, d)));
      },
    };
    return injectOrRollBack(ctx.logger, undo, async () => {
      await objects.apply(plan.next);
      for (const d of readers) {
        restarted = true;
        const pods = await deletePodsOf(objects, d);
        ctx.logger.info({ deployment: d.metadata.name, pods }, `restarted the pods that read Secret ${id}`);
      }
    });
  },
};
