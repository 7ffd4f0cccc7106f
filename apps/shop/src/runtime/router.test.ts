import { describe, expect, test } from '@jest/globals';
import { Router } from './router.js';

describe('Router', () => {
  const r = new Router<string>();
  r.add('GET', '/api/products', 'list');
  r.add('GET', '/api/products/:id', 'one');
  r.add('POST', '/api/cart/:userId/items', 'add');

  test('matches templates and decodes params', () => {
    expect(r.match('GET', '/api/products/A%20B')).toEqual({
      route: '/api/products/:id',
      params: { id: 'A B' },
      value: 'one',
    });
    expect(r.match('post', '/api/cart/u1/items')).toMatchObject({
      route: '/api/cart/:userId/items',
      params: { userId: 'u1' },
    });
    expect(r.match('GET', '/api/products/')).toMatchObject({ value: 'list' });
  });

  test('distinguishes unknown paths from wrong methods', () => {
    expect(r.match('GET', '/api/nothing')).toBeUndefined();
    expect(r.match('DELETE', '/api/products')).toBe('method-not-allowed');
    expect(r.match('GET', '/api/products/%E0%A4%A')).toBeUndefined();
  });
});
