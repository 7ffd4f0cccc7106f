import { pairs } from '../../apps/shop/src/runtime/stream-backlog.js';
import type { Logger } from '../logging/logger.js';
import type { RedisAdmin } from '../platform/fault-target.js';

/**
 * The shop's streams: the order stream (apps/shop/src/runtime/config.ts, `orderStream`) and its dead-letter
 * stream (stream-message.ts, `<stream>:dead`).
 */
export const SHOP_STREAMS: readonly string[] = ['orders', 'orders:dead'];

/**
 * Points every consumer group of `stream` at its end with a lag it can count again. Redis counts a group's
 * lag as entries added minus entries read, and after a trim it cannot tell how many of the removed entries
 * the group had read: XINFO GROUPS then reports a stale lag for good (a caught-up group showing hundreds).
 * `XGROUP SETID … $ ENTRIESREAD <entries-added>` (Redis 7) gives it a true count again.
 */
async function realignGroups(redis: RedisAdmin, stream: string): Promise<void> {
  const added = Number(pairs(await redis.command(['XINFO', 'STREAM', stream]))['entries-added']);
  if (!Number.isInteger(added)) return;
  const groups = await redis.command(['XINFO', 'GROUPS', stream]);
  for (const g of Array.isArray(groups) ? groups : []) {
    const name = pairs(g).name;
    if (typeof name !== 'string') continue;
    await redis.command(['XGROUP', 'SETID', stream, name, '$', 'ENTRIESREAD', String(added)]);
  }
}

/**
 * Empties the shop's streams between runs (`XTRIM … MAXLEN 0`, then each consumer group realigned to the
 * end). A run must not inherit the previous run's messages: poison an undo missed would crash the
 * consumers again, and events of orders that a replaced database no longer holds would be poison too. A
 * consumer that had one of them pending is handed it as trimmed and acknowledges it. A Redis that does not
 * answer is logged, not fatal: the reset goes on and its readiness wait reports what is broken. Returns how
 * many entries went, by stream.
 */
export async function settleStreams(redis: RedisAdmin, log: Logger): Promise<Record<string, number>> {
  const trimmed: Record<string, number> = {};
  try {
    for (const stream of SHOP_STREAMS) {
      if (Number(await redis.command(['EXISTS', stream])) === 0) continue;
      const n = Number(await redis.command(['XTRIM', stream, 'MAXLEN', '0']));
      if (n > 0) trimmed[stream] = n;
      await realignGroups(redis, stream);
    }
  } catch (err) {
    log.warn({ err }, 'emptying the shop streams failed');
    return trimmed;
  }
  if (Object.keys(trimmed).length > 0) log.info({ trimmed }, 'emptied the shop streams');
  return trimmed;
}
