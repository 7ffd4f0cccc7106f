import { describe, expect, test } from '@jest/globals';
import { parseFlagKey, routeMatches, settingsFor } from './settings.js';

describe('settings', () => {
  test('parseFlagKey accepts <service>.<known setting> only', () => {
    expect(parseFlagKey('cart.latency')).toEqual({ service: 'cart', setting: 'latency' });
    expect(parseFlagKey('cart.teleport')).toBeUndefined();
    expect(parseFlagKey('latency')).toBeUndefined();
    expect(parseFlagKey('Cart.latency')).toBeUndefined();
  });

  test('settingsFor picks the service, applies defaults and reports invalid values', () => {
    const { settings, rejected } = settingsFor('payment', {
      'payment.latency': { ms: 800 },
      'payment.errors': { fraction: 2 },
      'cart.cpu': { fraction: 0.5 },
      'payment.upstream': { dependency: 'redis', address: 'nohost' },
    });
    expect(settings).toEqual({ latency: { ms: 800, probability: 1 } });
    expect(rejected).toHaveLength(2);
    expect(rejected.join(' ')).toMatch(/errors\.fraction/);
    expect(rejected.join(' ')).toMatch(/upstream\.address: must be host:port/);
  });

  test('routeMatches: no scope matches everything; a scope matches the template or a path prefix', () => {
    expect(routeMatches(undefined, '/a', '/a')).toBe(true);
    expect(routeMatches('/products/:id', '/products/:id', '/products/X')).toBe(true);
    expect(routeMatches('/products', '/products/:id', '/products/X')).toBe(true);
    expect(routeMatches('/product', '/products/:id', '/products/X')).toBe(false);
    expect(routeMatches('/charge', '/orders', '/orders')).toBe(false);
  });
});
