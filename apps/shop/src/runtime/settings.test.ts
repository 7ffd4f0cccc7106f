import { describe, expect, test } from '@jest/globals';
import {
  describeChange,
  describeSetting,
  parseFlagKey,
  routeMatches,
  settingsFor,
  SETTING_NAMES,
  type RuntimeSettings,
} from './settings.js';

// nor the failure a setting is used to cause (db-pool-exhaustion's leak, queue-consumer-stall's stall)
const FORBIDDEN = /fault|inject|chaos|firedrill|leak|stall|exhaust/i;

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

  test('describeChange words a change of a runtime flag the way an operator would read it', () => {
    expect(describeChange({}, { upstream: { dependency: 'payment', address: '10.0.0.1:81' } })).toBe(
      'runtime settings updated: payment endpoint set to 10.0.0.1:81',
    );
    expect(describeChange({ cache: { enabled: false } }, {})).toBe(
      'runtime settings updated: cache setting cleared',
    );
    expect(describeChange({ audit: { fraction: 0.1 } }, { audit: { fraction: 0.1 } })).toBeUndefined();
  });

  test('describeChange never words what a service is made to do (slow, failing, busy, growing)', () => {
    const made: RuntimeSettings = {
      latency: { ms: 800, probability: 1 },
      errors: { fraction: 0.5, status: 503 },
      cpu: { fraction: 0.5 },
      retention: { mbPerMinute: 50 },
    };
    expect(describeChange({}, made)).toBeUndefined();
    expect(describeChange(made, {})).toBeUndefined();
    expect(describeChange({}, { ...made, consumer: { maxInFlight: 0 } })).toBe(
      'runtime settings updated: consumer max in flight 0',
    );
  });

  test('no description of any setting uses words that give the testbed away', () => {
    const all: RuntimeSettings = {
      latency: { ms: 5, probability: 0.5, route: '/charge' },
      errors: { fraction: 0.25, status: 503, route: '/charge' },
      cpu: { fraction: 1 },
      retention: { mbPerMinute: 50 },
      upstream: { dependency: 'redis', address: 'redis:1' },
      cache: { enabled: false },
      audit: { fraction: 0.05 },
      consumer: { maxInFlight: 0 },
    };
    for (const name of SETTING_NAMES) expect(describeSetting(name, all)).not.toMatch(FORBIDDEN);
    expect(describeChange({}, all) ?? '').not.toMatch(FORBIDDEN);
    expect(describeChange(all, {}) ?? '').not.toMatch(FORBIDDEN);
  });

  test('routeMatches: no scope matches everything; a scope matches the template or a path prefix', () => {
    expect(routeMatches(undefined, '/a', '/a')).toBe(true);
    expect(routeMatches('/products/:id', '/products/:id', '/products/X')).toBe(true);
    expect(routeMatches('/products', '/products/:id', '/products/X')).toBe(true);
    expect(routeMatches('/product', '/products/:id', '/products/X')).toBe(false);
    expect(routeMatches('/charge', '/orders', '/orders')).toBe(false);
  });
});
