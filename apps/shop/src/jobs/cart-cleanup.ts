import { shopRedis } from '../runtime/redis-client.js';
import type { BatchJob, JobContext } from './job-runtime.js';

const PATTERN = 'cart:*';
const SCAN_COUNT = 200;
const PROGRESS_EVERY = 1000;
/** Carts named one by one before the rest only count: a broken writer could leave thousands. */
const MAX_NAMED = 20;

/**
 * Housekeeping for the cart store, as an operator would schedule it: walks `cart:*` with SCAN (never KEYS,
 * which blocks Redis), and for each cart reads its TTL and OBJECT IDLETIME (neither touches the key's LRU
 * clock). Carts without an expiry (a write whose EXPIRE was lost) get the cart service's `cartTtlSeconds` back
 * unless `fixMissingExpiry` is false; carts idle longer than `staleAfterSeconds` are counted. Connects with the
 * cart service's Redis settings and Secret.
 */
export const cartCleanupJob: BatchJob = {
  title: 'cart cleanup',
  async run(ctx: JobContext): Promise<void> {
    const { config, logger, signal } = ctx;
    const endpoint = config.cart.redis;
    const { staleAfterSeconds, fixMissingExpiry } = config.cartCleanup;
    const ttlSeconds = config.cart.cartTtlSeconds;
    const redis = shopRedis(ctx);
    const started = performance.now();
    logger.info(
      { address: redis.address, db: endpoint.db, pattern: PATTERN },
      `cart cleanup started: scanning ${PATTERN} on ${redis.address} db ${endpoint.db}`,
    );
    const seen = new Set<string>();
    let scanned = 0;
    let withoutExpiry = 0;
    let expirySet = 0;
    let stale = 0;
    try {
      let cursor = '0';
      do {
        signal.throwIfAborted();
        const [next, keys] = await redis.command('SCAN', (r) =>
          r.scan(cursor, 'MATCH', PATTERN, 'COUNT', SCAN_COUNT),
        );
        cursor = next;
        for (const key of keys) {
          // SCAN may return a key twice while the keyspace is rehashing.
          if (seen.has(key)) continue;
          seen.add(key);
          const ttl = await redis.command('TTL', (r) => r.ttl(key));
          if (ttl === -2) continue; // expired or checked out since SCAN listed it
          scanned++;
          const idle = Number(await redis.command('OBJECT', (r) => r.object('IDLETIME', key)));
          if (idle > staleAfterSeconds) stale++;
          if (ttl === -1) {
            withoutExpiry++;
            if (fixMissingExpiry) {
              await redis.command('EXPIRE', (r) => r.expire(key, ttlSeconds));
              expirySet++;
            }
            if (withoutExpiry <= MAX_NAMED) {
              logger.warn(
                { key, idle_s: idle, expiry_set: fixMissingExpiry ? ttlSeconds : undefined },
                fixMissingExpiry
                  ? `cart ${key} had no expiry (idle ${idle}s); set it to ${ttlSeconds}s`
                  : `cart ${key} has no expiry (idle ${idle}s)`,
              );
            }
          }
          if (scanned % PROGRESS_EVERY === 0) logger.info({ scanned }, `scanned ${scanned} carts so far`);
        }
      } while (cursor !== '0');
    } finally {
      await redis.close();
    }
    const fixed = expirySet > 0 ? ` (now expiring in ${ttlSeconds}s)` : '';
    logger.info(
      {
        scanned,
        without_expiry: withoutExpiry,
        expiry_set: expirySet,
        stale,
        stale_after_s: staleAfterSeconds,
        duration_ms: Math.round(performance.now() - started),
      },
      `scanned ${scanned} ${scanned === 1 ? 'cart' : 'carts'}, ${withoutExpiry} without expiry${fixed}, ${stale} idle for over ${staleAfterSeconds}s`,
    );
  },
};
