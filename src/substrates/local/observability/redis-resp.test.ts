import { encodeCommand, RedisReplyError, RespParser } from './redis-resp.js';

describe('RESP', () => {
  it('encodes commands as arrays of bulk strings (UTF-8 lengths)', () => {
    expect(encodeCommand(['SET', 'k', 'é']).toString()).toBe('*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\né\r\n');
  });

  it('parses replies split across chunks', () => {
    const p = new RespParser();
    const wire =
      '+OK\r\n:42\r\n$5\r\nhel\r\n\r\n$-1\r\n*2\r\n$3\r\nfoo\r\n:7\r\n-WRONGPASS invalid\r\n*0\r\n';
    const out = [];
    for (const ch of wire) out.push(...p.push(Buffer.from(ch)));
    expect(out.slice(0, 5)).toEqual(['OK', 42, 'hel\r\n', null, ['foo', 7]]);
    expect(out[5]).toBeInstanceOf(RedisReplyError);
    expect((out[5] as RedisReplyError).code).toBe('WRONGPASS');
    expect(out[6]).toEqual([]);
  });
});
