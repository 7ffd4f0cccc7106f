import { OutputCapture } from './output-capture.js';

describe('OutputCapture', () => {
  it('keeps everything that fits', () => {
    const c = new OutputCapture(8);
    c.push(Buffer.from('hello '));
    c.push(Buffer.from('world'));
    expect(c.result()).toEqual({ bytes: 11, head: 'hello wo', tail: 'rld', omitted: 0 });
  });

  it('keeps the first and the last bytes of a flood, in bounded memory', () => {
    const c = new OutputCapture(4);
    c.push(Buffer.from('abcdef'));
    for (let i = 0; i < 1000; i++) c.push(Buffer.from('xyz'));
    c.push(Buffer.from('12'));
    c.push(Buffer.from('3456789'));
    const r = c.result();
    expect([r.head, r.tail, r.bytes, r.omitted]).toEqual(['abcd', '6789', 3015, 3007]);
  });

  it('wraps its ring of last bytes across small writes', () => {
    const c = new OutputCapture(3);
    for (const ch of 'abcdefgh') c.push(Buffer.from(ch));
    expect(c.result()).toMatchObject({ head: 'abc', tail: 'fgh', omitted: 2 });
  });

  it('redacts secrets from what it hands back', () => {
    const c = new OutputCapture(64);
    c.push(Buffer.from('key=sk-12345678 done'));
    expect(c.result((t) => t.replace('sk-12345678', '[redacted]')).head).toBe('key=[redacted] done');
  });
});
