import { describe, expect, test } from '@jest/globals';
import { FlagStore } from './flag-store.js';

const clock = () => new Date('2026-01-01T00:00:00Z');

describe('FlagStore', () => {
  test('stores validated values with defaults and lists them by service', () => {
    const s = new FlagStore(100, clock);
    expect(s.set('cart.latency', { ms: 100 }, 'me')).toEqual({
      ok: true,
      value: { ms: 100, probability: 1 },
    });
    s.set('catalog.cache', { enabled: false }, 'me');
    expect(s.list('cart')).toEqual({ 'cart.latency': { ms: 100, probability: 1 } });
    expect(Object.keys(s.list())).toEqual(['cart.latency', 'catalog.cache']);
    // "cart" must not match "cartography.*"
    s.set('cartography.cpu', { fraction: 0.1 }, 'me');
    expect(Object.keys(s.list('cart'))).toEqual(['cart.latency']);
  });

  test('rejects unknown keys and bad values without storing them', () => {
    const s = new FlagStore(100, clock);
    expect(s.set('cart.warp', {}, 'me').ok).toBe(false);
    expect(s.set('cart.cpu', { fraction: 'half' }, 'me')).toMatchObject({
      ok: false,
      error: expect.stringMatching(/cpu\.fraction/),
    });
    expect(s.list()).toEqual({});
    expect(s.auditTrail()).toEqual([]);
  });

  test('audits set, delete and clear with the actor', () => {
    const s = new FlagStore(100, clock);
    s.set('a.cpu', { fraction: 0.1 }, 'alice');
    s.set('b.cpu', { fraction: 0.2 }, 'alice');
    expect(s.delete('a.cpu', 'bob')).toBe(true);
    expect(s.delete('a.cpu', 'bob')).toBe(false);
    expect(s.clear('carol')).toBe(1);
    expect(s.auditTrail().map((e) => [e.key, e.action, e.actor])).toEqual([
      ['a.cpu', 'set', 'alice'],
      ['b.cpu', 'set', 'alice'],
      ['a.cpu', 'delete', 'bob'],
      ['b.cpu', 'clear', 'carol'],
    ]);
    expect(s.auditTrail()[0].ts).toBe('2026-01-01T00:00:00.000Z');
  });

  test('keeps only the newest audit entries', () => {
    const s = new FlagStore(3, clock);
    for (let i = 0; i < 5; i++) s.set('a.cpu', { fraction: i / 10 }, `actor-${i}`);
    expect(s.auditTrail().map((e) => e.actor)).toEqual(['actor-2', 'actor-3', 'actor-4']);
  });
});
