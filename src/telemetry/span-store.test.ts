import type { SpanRecord } from '../bundle/records.js';
import { SpanStore } from './span-store.js';

function span(id: number, service: string, startMs: number, durMs: number): SpanRecord {
  return {
    traceId: id.toString(16).padStart(32, '0'),
    spanId: id.toString(16).padStart(16, '0'),
    parentSpanId: null,
    service,
    name: `op-${id}`,
    start: new Date(startMs).toISOString(),
    end: new Date(startMs + durMs).toISOString(),
    durationMs: durMs,
    status: 'ok',
    attributes: {},
    entity: null,
  };
}

describe('SpanStore', () => {
  const t0 = Date.parse('2025-01-01T00:00:00Z');

  it('answers window queries by overlap, and by service', () => {
    const store = new SpanStore(10);
    store.add([
      span(1, 'cart', t0, 100),
      span(2, 'payment', t0 + 1000, 100),
      span(3, 'cart', t0 + 2000, 5000),
    ]);
    const names = (q: Parameters<SpanStore['query']>[0]): string[] => store.query(q).map((s) => s.name);
    expect(names({})).toEqual(['op-1', 'op-2', 'op-3']);
    expect(names({ from: t0 + 50, to: t0 + 1050 })).toEqual(['op-1', 'op-2']);
    expect(names({ from: new Date(t0 + 3000), to: new Date(t0 + 4000) })).toEqual(['op-3']);
    expect(names({ service: 'cart' })).toEqual(['op-1', 'op-3']);
    expect(names({ service: 'cart', limit: 1 })).toEqual(['op-1']);
    expect(store.services()).toEqual(['cart', 'payment']);
  });

  it('drops the oldest spans beyond capacity and counts them', () => {
    const store = new SpanStore(3);
    for (let i = 1; i <= 7; i++) store.add([span(i, 's', t0 + i, 1)]);
    expect(store.size).toBe(3);
    expect(store.dropped).toBe(4);
    expect(store.totalReceived).toBe(7);
    expect(store.query().map((s) => s.name)).toEqual(['op-5', 'op-6', 'op-7']);
    store.clear();
    expect(store.query()).toEqual([]);
    store.add([span(8, 's', t0, 1)]);
    expect(store.query().map((s) => s.name)).toEqual(['op-8']);
  });
});
