import { LogStore } from './log-store.js';

const line = (ts: string, text: string) => ({
  ts,
  entity: 'shop/Pod/cart-1',
  container: 'cart',
  stream: 'stdout' as const,
  line: text,
});

describe('LogStore', () => {
  it('keeps lines in a time range, drops the oldest tenth past its cap, and forgets everything on clear', () => {
    const store = new LogStore(10);
    for (let i = 0; i < 11; i++) store.add(line(`2030-01-01T00:00:${String(i).padStart(2, '0')}Z`, `l${i}`));
    expect(store.dropped).toBe(1);
    expect(store.between('2030-01-01T00:00:05Z', '2030-01-01T00:00:06Z').map((l) => l.line)).toEqual([
      'l5',
      'l6',
    ]);
    store.clear();
    expect(store.size).toBe(0);
    expect(store.dropped).toBe(0);
    expect(store.between('0', '9')).toEqual([]);
  });
});
