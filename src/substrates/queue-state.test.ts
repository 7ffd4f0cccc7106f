import { pino } from 'pino';
import { settleStreams } from './queue-state.js';

const log = pino({ level: 'silent' });

describe('settleStreams', () => {
  it('trims the order stream and its dead letters to nothing and reports what went', async () => {
    const calls: string[] = [];
    const lengths: Record<string, number> = { orders: 42 };
    const redis = {
      command: async (args: string[]) => {
        calls.push(args.join(' '));
        const n = lengths[args[1]] ?? 0;
        lengths[args[1]] = 0;
        return n;
      },
    };
    expect(await settleStreams(redis, log)).toEqual({ orders: 42 });
    expect(calls).toEqual(['XTRIM orders MAXLEN 0', 'XTRIM orders:dead MAXLEN 0']);
    expect(await settleStreams(redis, log)).toEqual({});
  });

  it('logs a Redis that does not answer and goes on, so the reset reports what is broken', async () => {
    const lines: string[] = [];
    const recording = pino({ level: 'info' }, { write: (l: string) => lines.push(l) });
    const redis = { command: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:6379')) };
    expect(await settleStreams(redis, recording)).toEqual({});
    expect(lines.join('')).toMatch(/emptying the shop streams failed.*|ECONNREFUSED/);
  });
});
