import type { Logger } from '../logging/logger.js';
import type { RedisAdmin } from '../platform/fault-target.js';

/**
 * The shop's streams: the order stream (apps/shop/src/runtime/config.ts, `orderStream`) and its dead-letter
 * stream (stream-message.ts, `<stream>:dead`).
 */
export const SHOP_STREAMS: readonly string[] = ['orders', 'orders:dead'];

/**
 * Empties the shop's streams between runs (`XTRIM … MAXLEN 0`; the consumer groups and their positions
 * stay). A run must not inherit the previous run's messages: poison an undo missed would crash the
 * consumers again, and events of orders that a replaced database no longer holds would be poison too. A
 * consumer that had one of them pending is handed it as trimmed and acknowledges it. A Redis that does
 * not answer is logged, not fatal: the reset goes on and its readiness wait reports what is broken.
 * Returns how many entries went, by stream.
 */
export async function settleStreams(redis: RedisAdmin, log: Logger): Promise<Record<string, number>> {
  const trimmed: Record<string, number> = {};
  try {
    for (const stream of SHOP_STREAMS) {
      const n = Number(await redis.command(['XTRIM', stream, 'MAXLEN', '0']));
      if (n > 0) trimmed[stream] = n;
    }
  } catch (err) {
    log.warn({ err }, 'emptying the shop streams failed');
    return trimmed;
  }
  if (Object.keys(trimmed).length > 0) log.info({ trimmed }, 'emptied the shop streams');
  return trimmed;
}
