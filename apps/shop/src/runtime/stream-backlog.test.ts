import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { trace } from '@opentelemetry/api';
import type { Redis } from 'ioredis';
import { pino } from 'pino';
import { startRedisServer, type RedisServer } from '../dev/redis-server.js';
import { ShopMetrics } from './metrics.js';
import { InstrumentedRedis } from './redis-client.js';
import { readBacklog } from './stream-backlog.js';

let server: RedisServer;
let redis: InstrumentedRedis;

beforeAll(async () => {
  server = await startRedisServer();
  redis = new InstrumentedRedis({
    service: 'accounting',
    endpoint: { host: '127.0.0.1', port: server.port, password: server.password, db: 0 },
    commandTimeoutMs: 1000,
    retries: 0,
    tracer: trace.getTracer('t'),
    metrics: new ShopMetrics(),
    logger: pino({ level: 'silent' }),
  });
});
afterAll(async () => {
  await redis.close();
  await server.stop();
});

const run = <T>(f: (r: Redis) => Promise<T>) => redis.command('TEST', f);

describe('readBacklog', () => {
  test('lag, pending and the oldest unacked age follow delivery and acks', async () => {
    const s = 'backlog-1';
    await run((r) => r.xgroup('CREATE', s, 'g', '$', 'MKSTREAM'));
    // Explicit ids: entries published at t = 1 s, 2 s, 3 s; "now" is 11 s.
    for (const id of ['1000-0', '2000-0', '3000-0']) await run((r) => r.xadd(s, id, 'type', 't'));
    const at = (now = 11_000) => readBacklog(redis, s, 'g', now);
    expect(await at()).toEqual({ lag: 3, pending: 0, oldestUnackedAgeSeconds: 10 });

    await run((r) => r.xreadgroup('GROUP', 'g', 'c1', 'COUNT', 1, 'STREAMS', s, '>'));
    expect(await at()).toEqual({ lag: 2, pending: 1, oldestUnackedAgeSeconds: 10 });

    await run((r) => r.xack(s, 'g', '1000-0'));
    expect(await at()).toEqual({ lag: 2, pending: 0, oldestUnackedAgeSeconds: 9 });

    await run((r) => r.xreadgroup('GROUP', 'g', 'c1', 'COUNT', 5, 'STREAMS', s, '>'));
    expect(await at(13_000)).toEqual({ lag: 0, pending: 2, oldestUnackedAgeSeconds: 11 });

    await run((r) => r.xack(s, 'g', '2000-0', '3000-0'));
    expect(await at()).toEqual({ lag: 0, pending: 0, oldestUnackedAgeSeconds: 0 });
  });

  test('counts the undelivered entries when Redis cannot say the lag (after an XDEL)', async () => {
    const s = 'backlog-2';
    await run((r) => r.xgroup('CREATE', s, 'g', '$', 'MKSTREAM'));
    for (const id of ['1000-0', '2000-0', '3000-0', '4000-0']) await run((r) => r.xadd(s, id, 'type', 't'));
    await run((r) => r.xreadgroup('GROUP', 'g', 'c1', 'COUNT', 1, 'STREAMS', s, '>'));
    await run((r) => r.xdel(s, '3000-0'));
    const info = (await run((r) => r.xinfo('GROUPS', s))) as unknown[][];
    expect(info[0][info[0].indexOf('lag') + 1]).toBeNull();
    expect(await readBacklog(redis, s, 'g', 5000)).toEqual({
      lag: 2,
      pending: 1,
      oldestUnackedAgeSeconds: 4,
    });
  });

  test('undefined without the stream or the group', async () => {
    expect(await readBacklog(redis, 'backlog-none', 'g', 0)).toBeUndefined();
    await run((r) => r.xadd('backlog-3', '*', 'type', 't'));
    expect(await readBacklog(redis, 'backlog-3', 'g', 0)).toBeUndefined();
  });
});
