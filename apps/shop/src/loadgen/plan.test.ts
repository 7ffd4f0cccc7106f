import { describe, expect, test } from '@jest/globals';
import { PRODUCT_IDS } from '../data/products.js';
import { DEFAULT_MIX, meanRequestsPerJourney, parseMix, planJourneys } from './plan.js';

describe('planJourneys', () => {
  test('the same seed yields the same journeys, a different seed different ones', () => {
    const a = planJourneys(1, DEFAULT_MIX, 500);
    expect(planJourneys(1, DEFAULT_MIX, 500)).toEqual(a);
    const b = planJourneys(2, DEFAULT_MIX, 500);
    expect(b.map((j) => j.steps.map((s) => s.path))).not.toEqual(a.map((j) => j.steps.map((s) => s.path)));
  });

  test('a longer plan starts with the shorter one', () => {
    expect(planJourneys(9, DEFAULT_MIX, 300).slice(0, 100)).toEqual(planJourneys(9, DEFAULT_MIX, 100));
  });

  test('journey kinds follow the mix', () => {
    const n = 20_000;
    const counts = { browse: 0, cart: 0, checkout: 0 };
    for (const j of planJourneys(3, DEFAULT_MIX, n)) counts[j.kind]++;
    expect(counts.browse / n).toBeCloseTo(0.6, 1);
    expect(counts.cart / n).toBeCloseTo(0.3, 1);
    expect(counts.checkout / n).toBeCloseTo(0.1, 1);
    expect(planJourneys(3, { browse: 0, cart: 0, checkout: 1 }, 50).every((j) => j.kind === 'checkout')).toBe(
      true,
    );
  });

  test('journeys use real products, sane quantities and frontend routes; checkout ends with an order', () => {
    for (const j of planJourneys(5, DEFAULT_MIX, 2000)) {
      for (const s of j.steps) {
        expect(s.path).toMatch(/^\/api\/(products|cart|checkout|currency)/);
        if (s.step === 'add_to_cart') {
          expect(PRODUCT_IDS).toContain(s.body?.productId);
          expect(s.body?.quantity).toBeGreaterThanOrEqual(1);
          expect(s.body?.quantity).toBeLessThanOrEqual(3);
        }
      }
      for (const s of j.steps) expect(s.requestId).toMatch(/^[0-9a-f]{16}$/);
      if (j.kind === 'checkout') expect(j.userId).toMatch(/^shopper-[0-9a-f]{10}$/);
      if (j.kind === 'checkout') {
        expect(j.steps.at(-1)?.step).toBe('place_order');
        expect(j.steps.at(-1)?.body?.currency).toMatch(/^[A-Z]{3}$/);
      }
    }
  });

  test('request and shopper ids are unique, the same for a seed, and carry neither the seed nor the journey number', () => {
    const ids = (seed: number): string[] =>
      planJourneys(seed, DEFAULT_MIX, 3000).flatMap((j) => [...j.steps.map((s) => s.requestId), j.userId]);
    const a = ids(97);
    expect(ids(97)).toEqual(a);
    const requestIds = planJourneys(97, DEFAULT_MIX, 3000).flatMap((j) => j.steps.map((s) => s.requestId));
    expect(new Set(requestIds).size).toBe(requestIds.length);
    expect(a.filter((id) => /(^|-)97-|-\d+-\d+$/.test(id))).toEqual([]);
    expect(ids(98).filter((id) => a.includes(id) && !/^(user|visitor)-/.test(id))).toEqual([]);
  });

  test('meanRequestsPerJourney matches the plan', () => {
    const n = 20_000;
    const steps = planJourneys(11, DEFAULT_MIX, n).reduce((s, j) => s + j.steps.length, 0);
    expect(steps / n).toBeCloseTo(meanRequestsPerJourney(DEFAULT_MIX), 1);
  });
});

describe('parseMix', () => {
  test('normalizes weights and fills missing kinds with 0', () => {
    expect(parseMix('{"browse":3,"cart":1}')).toEqual({ browse: 0.75, cart: 0.25, checkout: 0 });
  });

  test.each([
    ['{"browse":', /not valid JSON/],
    ['[1,2]', /JSON object/],
    ['{"browse":-1}', /non-negative/],
    ['{"shopping":1}', /unknown journey "shopping"/],
    ['{"browse":0}', /all be zero/],
  ])('rejects %s', (text, message) => {
    expect(() => parseMix(text)).toThrow(message);
  });
});
