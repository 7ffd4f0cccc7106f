import type { InstrumentedRedis } from './redis-client.js';
import { idMillis } from './stream-message.js';

/** How far a consumer group is behind its stream, as the queue_consumer_* gauges report it. */
export interface StreamBacklog {
  /** Entries not yet delivered to the group (XINFO GROUPS `lag`). */
  lag: number;
  /** Entries delivered to a consumer of the group and not acknowledged (XINFO GROUPS `pending`). */
  pending: number;
  /**
   * Age of the oldest entry the group has not acknowledged: the older of its oldest pending entry and the
   * first entry after its last-delivered-id, from the ms part of the ids. 0 when there is neither.
   */
  oldestUnackedAgeSeconds: number;
}

/** When Redis cannot say the lag (XINFO GROUPS `lag` is nil after deletions), the entries are counted, up to this. */
export const LAG_COUNT_CAP = 10_000;

/**
 * Reads a group's backlog with three short commands (XINFO GROUPS, XPENDING summary, XRANGE of one entry);
 * undefined when the stream or the group does not exist. No spans outside an active one: it runs on a timer.
 */
export async function readBacklog(
  redis: InstrumentedRedis,
  stream: string,
  group: string,
  now: number,
): Promise<StreamBacklog | undefined> {
  const quiet = { requireParent: true };
  let groups: unknown;
  try {
    groups = await redis.command('XINFO', (r) => r.xinfo('GROUPS', stream), quiet);
  } catch (err) {
    if (/no such key/i.test((err as Error).message)) return undefined;
    throw err;
  }
  const info = (groups as unknown[]).map((g) => pairs(g)).find((g) => g.name === group);
  if (!info) return undefined;
  const lastDelivered = String(info['last-delivered-id']);
  const pending = Number(info.pending);

  const summary = await redis.command('XPENDING', (r) => r.xpending(stream, group), quiet);
  const oldestPending = (summary as unknown[])[1];
  const [firstUndelivered] = await redis.command(
    'XRANGE',
    (r) => r.xrange(stream, `(${lastDelivered}`, '+', 'COUNT', 1),
    quiet,
  );

  let lag = info.lag === null || info.lag === undefined ? undefined : Number(info.lag);
  if (lag === undefined) {
    const rest = await redis.command(
      'XRANGE',
      (r) => r.xrange(stream, `(${lastDelivered}`, '+', 'COUNT', LAG_COUNT_CAP),
      quiet,
    );
    lag = rest.length;
  }

  const times = [
    typeof oldestPending === 'string' ? idMillis(oldestPending) : undefined,
    firstUndelivered ? idMillis(firstUndelivered[0]) : undefined,
  ].filter((t): t is number => t !== undefined && Number.isFinite(t));
  const oldest = times.length > 0 ? Math.min(...times) : undefined;
  const oldestUnackedAgeSeconds = oldest === undefined ? 0 : Math.max(0, now - oldest) / 1000;
  return { lag, pending, oldestUnackedAgeSeconds };
}

/** A RESP2 flat [key, value, key, value…] reply (XINFO's) as an object; {} for anything else. */
export function pairs(flat: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!Array.isArray(flat)) return out;
  for (let i = 0; i + 1 < flat.length; i += 2) out[String(flat[i])] = flat[i + 1];
  return out;
}
