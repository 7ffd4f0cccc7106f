import { parsePodLog } from './pod-log-lines.js';

describe('parsePodLog', () => {
  const where = { entity: 'shop/Pod/cart-7d9f-abcde', container: 'cart' };
  const window = { start: new Date('2026-11-25T12:00:00Z'), end: new Date('2026-11-25T12:05:00Z') };

  it('keeps the lines inside the window, with millisecond UTC timestamps and the raw text', () => {
    const text = [
      '2026-11-25T11:59:59.999999999Z {"msg":"before the window"}',
      '2026-11-25T12:00:00.123456789Z {"level":30,"msg":"listening","traceId":"abc"}',
      '2026-11-25T13:00:01.5+01:00 plain text with  two spaces',
      '2026-11-25T12:05:00.000000001Z {"msg":"after the window"}',
      '',
    ].join('\n');
    expect(parsePodLog(text, where, window)).toEqual([
      {
        ts: '2026-11-25T12:00:00.123Z',
        entity: where.entity,
        container: 'cart',
        stream: 'stdout',
        line: '{"level":30,"msg":"listening","traceId":"abc"}',
      },
      {
        ts: '2026-11-25T12:00:01.500Z',
        entity: where.entity,
        container: 'cart',
        stream: 'stdout',
        line: 'plain text with  two spaces',
      },
    ]);
  });

  it('keeps empty lines the container wrote and skips text without a timestamp', () => {
    const text = '2026-11-25T12:01:00Z \nnot stamped\n2026-11-25T12:01:01Z\r\n';
    expect(parsePodLog(text, where, window).map((r) => [r.ts, r.line])).toEqual([
      ['2026-11-25T12:01:00.000Z', ''],
      ['2026-11-25T12:01:01.000Z', ''],
    ]);
  });
});
