import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import { formatEntityId, type EntityRef } from '../../entities/entity-id.js';
import { InvalidInputError } from '../../errors/invalid-input-error.js';
import type { KubeObject } from '../../kube/kube-object.js';
import { rolloutPending } from '../../kube/rollout-status.js';
import { getKind } from '../../kube/typed-reads.js';
import type { Logger } from '../../logging/logger.js';
import type { ObjectApi } from '../../platform/object-api.js';
import type { RedisAdmin } from '../../platform/fault-target.js';
import { waitFor } from '../../util/wait-for.js';
import type { FaultType, Undo } from '../fault-type.js';
import { editConfigMapAndRollOut, mountsConfigMap } from '../support/config-rollout.js';
import { planChange, requireObject } from '../support/object-snapshot.js';
import { runAll } from '../support/roll-back.js';
import { ORDER_EVENT_PRODUCERS, ORDER_STREAM_CONSUMERS } from '../support/order-stream.js';
import { deletePodsOf, livePodsOf } from '../support/restart-pods.js';
import { shopServiceOf } from '../support/workloads.js';
import { hasRestarted } from '../../kube/pod-status.js';

const params = z.strictObject({});
type Params = z.output<typeof params>;

const KEY = 'config.json';
const SETTING = 'orderEventFormat';
/** The format the producer switches to: nested (`order`, `amount`), which no consumer of the shop reads yet. */
const FORMAT = 'v2';

/** The stream the shop's producer publishes to when its config names none (apps/shop/src/runtime/config.ts). */
const DEFAULT_STREAM = 'orders';
/** How long undo waits for the producer's rollback to finish before it deletes the v2 events. */
const ROLLBACK_WAIT_MS = 180_000;
const PAGE = 500;

const configMapOf = (target: EntityRef): EntityRef => ({
  namespace: target.namespace,
  kind: 'ConfigMap',
  name: `${target.name}-config`,
});

/**
 * The config text with the producer's event format set to v2. The edit is the line an operator would
 * add (or the value they would change), so the rest of the file keeps its layout; when the text does not
 * allow that, the JSON is written out whole.
 */
function withNewFormat(cm: KubeObject, id: string): string {
  const text = cm.data?.[KEY];
  if (text === undefined) throw new InvalidInputError(`ConfigMap ${id} has no key "${KEY}"`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new InvalidInputError(
      `key "${KEY}" of ConfigMap ${id} is not JSON; fix the config before this fault`,
    );
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new InvalidInputError(`key "${KEY}" of ConfigMap ${id} is not a JSON object`);
  }
  const config = json as Record<string, unknown>;
  if (config[SETTING] === FORMAT) {
    throw new InvalidInputError(
      `ConfigMap ${id} already sets ${SETTING} to "${FORMAT}", so this fault would change nothing; reset the environment first`,
    );
  }
  const wanted = { ...config, [SETTING]: FORMAT };
  const existing = new RegExp(`("${SETTING}"\\s*:\\s*)"[^"]*"`);
  const edited = existing.test(text)
    ? text.replace(existing, `$1"${FORMAT}"`)
    : text.replace(/^(\s*\{[ \t]*\n)([ \t]*)/, `$1$2"${SETTING}": "${FORMAT}",\n$2`);
  try {
    if (isDeepStrictEqual(JSON.parse(edited), wanted)) return edited;
  } catch {
    // the layout did not allow a one-line edit
  }
  return `${JSON.stringify(wanted, null, 2)}\n`;
}

/** The stream's last entry id, or `0-0` when it has none (or does not exist yet). */
async function lastEntryId(redis: RedisAdmin, stream: string): Promise<string> {
  const reply = await redis.command(['XREVRANGE', stream, '+', '-', 'COUNT', '1']);
  const first = Array.isArray(reply) ? (reply[0] as unknown) : undefined;
  return Array.isArray(first) && typeof first[0] === 'string' ? first[0] : '0-0';
}

/** A v2 event: its payload nests the order (`order`, `amount`) where consumers look for `orderId`. */
function isNewFormat(fields: unknown): boolean {
  if (!Array.isArray(fields)) return false;
  const i = fields.findIndex((f, n) => n % 2 === 0 && f === 'payload');
  if (i < 0) return false;
  try {
    const payload: unknown = JSON.parse(String(fields[i + 1]));
    return typeof payload === 'object' && payload !== null && 'order' in payload && !('orderId' in payload);
  } catch {
    return false;
  }
}

/**
 * Deletes the v2 events published after `after` (XDEL): what an operator does with poison messages once
 * the producer is fixed. A consumer that has one pending finds it gone, acknowledges it and goes on.
 */
export async function deleteNewFormatEvents(
  redis: RedisAdmin,
  stream: string,
  after: string,
): Promise<number> {
  let start = `(${after}`;
  let deleted = 0;
  for (;;) {
    const reply = await redis.command(['XRANGE', stream, start, '+', 'COUNT', String(PAGE)]);
    const entries = Array.isArray(reply) ? (reply as unknown[]) : [];
    const ids: string[] = [];
    for (const e of entries) {
      if (Array.isArray(e) && typeof e[0] === 'string' && isNewFormat(e[1])) ids.push(e[0]);
    }
    if (ids.length > 0) {
      await redis.command(['XDEL', stream, ...ids]);
      deleted += ids.length;
    }
    const last = entries.at(-1);
    if (entries.length < PAGE || !Array.isArray(last) || typeof last[0] !== 'string') return deleted;
    start = `(${last[0]}`;
  }
}

/** Waits until the producer's rollback is rolled out, so no v2 event follows the clean-up. */
async function producerRolledBack(objects: ObjectApi, ref: EntityRef): Promise<void> {
  await waitFor(
    `the rollback of ${formatEntityId(ref)} to roll out`,
    async () => {
      const d = await getKind(objects, 'Deployment', ref.namespace, ref.name);
      return d !== undefined && rolloutPending(d) === undefined;
    },
    { timeoutMs: ROLLBACK_WAIT_MS, intervalMs: 1000 },
  );
}

/**
 * How the undo sweeps the stream after the rollback: a pod of the old ReplicaSet may still finish a request
 * and publish one more v2 event while it terminates, so the stream is swept again until `quietPasses` passes
 * in a row find none (at most `maxMs`). Tests shorten it.
 */
export const SWEEP = { intervalMs: 3000, quietPasses: 2, maxMs: 45_000 };

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Deletes v2 events until the stream stays clean; returns how many went. */
async function sweepNewFormatEvents(redis: RedisAdmin, stream: string, after: string): Promise<number> {
  const deadline = Date.now() + SWEEP.maxMs;
  let deleted = await deleteNewFormatEvents(redis, stream, after);
  for (let quiet = 0; quiet < SWEEP.quietPasses && Date.now() < deadline;) {
    await sleep(SWEEP.intervalMs);
    const n = await deleteNewFormatEvents(redis, stream, after);
    deleted += n;
    quiet = n === 0 ? quiet + 1 : 0;
  }
  return deleted;
}

/**
 * Replaces the pods of the order stream's consumers that restarted: after a crash loop they sit out
 * CrashLoopBackOff (up to five minutes) before they would read again, and an operator who has cleared the
 * poison restarts them rather than wait. Returns the pods deleted.
 */
async function restartCrashedConsumers(objects: ObjectApi, namespace: string | undefined): Promise<string[]> {
  const deleted: string[] = [];
  for (const name of ORDER_STREAM_CONSUMERS) {
    const deploy = await getKind(objects, 'Deployment', namespace, name);
    if (!deploy) continue;
    if ((await livePodsOf(objects, deploy)).some(hasRestarted))
      deleted.push(...(await deletePodsOf(objects, deploy)));
  }
  return deleted;
}

/**
 * After the config is restored: once the producer publishes v1 again, delete the v2 events, so the
 * consumers stop crashing on them, then restart the consumers that crash-looped. The events are deleted
 * even when the rollback does not finish in time; that failure is reported after. (A reset empties the
 * stream as well, so nothing an undo misses reaches the next run: src/substrates/queue-state.ts.)
 */
function cleanUp(
  objects: ObjectApi,
  redis: RedisAdmin,
  logger: Logger,
  producer: EntityRef,
  stream: string,
  after: string,
): () => Promise<void> {
  return async () => {
    let late: unknown;
    await producerRolledBack(objects, producer).catch((err: unknown) => {
      late = err;
    });
    const deleted = await sweepNewFormatEvents(redis, stream, after);
    logger.info({ stream, deleted }, `deleted ${deleted} ${FORMAT} event(s) from stream ${stream}`);
    const restarted = await restartCrashedConsumers(objects, producer.namespace);
    if (restarted.length > 0)
      logger.info({ pods: restarted }, `replaced ${restarted.length} crash-looping consumer pod(s)`);
    if (late !== undefined) throw late;
  };
}

/**
 * The producer of the order stream rolls out a new event format its consumers do not read yet: every
 * message after the rollout is poison to them.
 */
export const queuePoisonMessage: FaultType<Params> = {
  id: 'queue-poison-message',
  description:
    'The order stream’s producer switches to an event format its consumers cannot read (orderEventFormat v2 in its config, rolled out).',
  params,
  needs: ['objects', 'rollouts', 'redis-admin'],
  targetKinds: ['Deployment'],
  // The producer's change is the cause; its config file is where the change was made, and names it as well.
  groundTruth: (target) => [formatEntityId(target)],
  aliases: (target) => ({ [formatEntityId(target)]: [formatEntityId(configMapOf(target))] }),
  // accounting and fulfillment crash on the first v2 message (their poison policy is `crash`) and stay
  // behind it: CrashLoopBackOff, and their groups' oldest unacknowledged message ages.
  expectedAlerts: () => ['KubePodCrashLooping', 'ShopQueueBacklogAging'],
  async inject(ctx) {
    const { objects } = ctx.target;
    const id = formatEntityId(ctx.entity);
    const service = await shopServiceOf(objects, ctx.entity);
    if (!ORDER_EVENT_PRODUCERS.includes(service)) {
      throw new InvalidInputError(
        `${id} runs ${service}, which publishes no order events (its config has no ${SETTING}); target the Deployment that publishes to the order stream: ${ORDER_EVENT_PRODUCERS.map((p) => `${ctx.entity.namespace ?? ''}/Deployment/${p}`).join(', ')}`,
      );
    }
    const cmRef = configMapOf(ctx.entity);
    const cmId = formatEntityId(cmRef);
    const deploy = await requireObject(objects, ctx.entity);
    if (
      !mountsConfigMap(deploy, cmRef.name) ||
      !(await objects.get('ConfigMap', cmRef.namespace, cmRef.name))
    ) {
      throw new InvalidInputError(
        `${id} reads no ConfigMap ${cmId}, so its event format cannot be changed; its config file must come from that ConfigMap`,
      );
    }
    // Everything that can be refused (no config, not JSON, already v2) is decided before the first change.
    let stream = DEFAULT_STREAM;
    const plan = await planChange(objects, cmRef, (cm) => {
      cm.data = { ...(cm.data ?? {}), [KEY]: withNewFormat(cm, cmId) };
      const named = (JSON.parse(cm.data[KEY]) as Record<string, unknown>).orderStream;
      if (typeof named === 'string' && named !== '') stream = named;
    });
    // Where the v2 events will start: the undo deletes what follows.
    const after = await lastEntryId(ctx.target.redis, stream);
    const rollback = await editConfigMapAndRollOut({
      objects,
      logger: ctx.logger,
      configMap: cmRef,
      plan,
      restart: true,
      rolledOut: `rolled out with ${SETTING} ${FORMAT}`,
    });
    const undo: Undo = {
      description: `${rollback.description}, then delete the ${FORMAT} events from stream ${stream}`,
      undo: () =>
        runAll([
          () => rollback.undo(),
          cleanUp(objects, ctx.target.redis, ctx.logger, ctx.entity, stream, after),
        ]),
    };
    return undo;
  },
};
