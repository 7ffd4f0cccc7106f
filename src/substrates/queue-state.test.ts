import { pino } from 'pino';
import { startRedisServer, type RedisServer } from '../../apps/shop/src/dev/redis-server.js';
import { pairs } from '../../apps/shop/src/runtime/stream-backlog.js';
import { RespRedisAdmin } from './resp-redis-admin.js';
import { settleStreams } from './queue-state.js';

const log = pino({ level: 'silent' });

describe('settleStreams (real Redis)', () => {
  let server: RedisServer;
  let redis: RespRedisAdmin;
  beforeAll(async () => {
    server = await startRedisServer();
    redis = new RespRedisAdmin(async () => ({
      host: '127.0.0.1',
      port: server.port,
      password: server.password,
    }));
  });
  afterAll(async () => {
    await server?.stop();
  });

  const groups = async (stream: string) =>
    ((await redis.command(['XINFO', 'GROUPS', stream])) as unknown[]).map((g) => {
      const o = pairs(g);
      return { name: o.name, lag: o.lag, pending: o.pending };
    });

  it('empties the order stream, and its groups count their lag right afterwards', async () => {
    await redis.command(['XGROUP', 'CREATE', 'orders', 'accounting', '$', 'MKSTREAM']);
    for (let i = 0; i < 5; i++) await redis.command(['XADD', 'orders', '*', 'n', String(i)]);
    // accounting took all five and acknowledged none (a crash loop); one more arrived after
    await redis.command([
      'XREADGROUP',
      'GROUP',
      'accounting',
      'a-0',
      'COUNT',
      '10',
      'STREAMS',
      'orders',
      '>',
    ]);
    await redis.command(['XADD', 'orders', '*', 'n', '5']);

    expect(await settleStreams(redis, log)).toEqual({ orders: 6 });
    expect(await redis.command(['XLEN', 'orders'])).toBe(0);
    // without the realignment Redis would go on reporting a lag of 1 here for good
    expect(await groups('orders')).toEqual([{ name: 'accounting', lag: 0, pending: 5 }]);

    await redis.command(['XADD', 'orders', '*', 'n', '6']);
    await redis.command(['XADD', 'orders', '*', 'n', '7']);
    expect((await groups('orders'))[0].lag).toBe(2);
    const read = (await redis.command([
      'XREADGROUP',
      'GROUP',
      'accounting',
      'a-0',
      'COUNT',
      '10',
      'STREAMS',
      'orders',
      '>',
    ])) as unknown[][];
    expect((read[0][1] as unknown[]).length).toBe(2);
    expect((await groups('orders'))[0].lag).toBe(0);
  });

  it('leaves a stream that does not exist alone, and reports nothing trimmed the second time', async () => {
    expect(await settleStreams(redis, log)).toEqual({ orders: 2 });
    expect(await settleStreams(redis, log)).toEqual({});
    expect(await redis.command(['EXISTS', 'orders:dead'])).toBe(0);
  });

  it('logs a Redis that does not answer and goes on, so the reset reports what is broken', async () => {
    const lines: string[] = [];
    const recording = pino({ level: 'info' }, { write: (l: string) => lines.push(l) });
    const down = { command: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:6379')) };
    expect(await settleStreams(down, recording)).toEqual({});
    expect(lines.join('')).toMatch(/emptying the shop streams failed/);
  });
});
