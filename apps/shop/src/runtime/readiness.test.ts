import { describe, expect, test } from '@jest/globals';
import { Readiness } from './readiness.js';

describe('Readiness', () => {
  test('reports each check and caches the verdict for 2 s', async () => {
    let now = 0;
    let calls = 0;
    let redisUp = false;
    const r = new Readiness(
      {
        redis: async () => {
          calls++;
          if (!redisUp)
            throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' });
        },
      },
      () => now,
    );
    expect(await r.evaluate()).toEqual({
      ready: false,
      checks: { redis: 'ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:6379' },
    });
    redisUp = true;
    now = 1500;
    expect((await r.evaluate()).ready).toBe(false);
    expect(calls).toBe(1);
    now = 2100;
    expect(await r.evaluate()).toEqual({ ready: true, checks: { redis: 'ok' } });
    expect(calls).toBe(2);
  });

  test('no checks means ready', async () => {
    expect(await new Readiness({}).evaluate()).toEqual({ ready: true, checks: {} });
  });
});
