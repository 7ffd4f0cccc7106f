import { mapStrings } from './map-strings.js';

describe('mapStrings', () => {
  it('maps every string value at any depth and leaves keys, numbers, booleans and null alone', () => {
    const value = { a: 'x', n: 1, b: true, z: null, list: ['x', { x: 'x' }] };
    expect(mapStrings(value, (s) => s.toUpperCase())).toEqual({
      a: 'X',
      n: 1,
      b: true,
      z: null,
      list: ['X', { x: 'X' }],
    });
    expect(value.a).toBe('x');
  });

  it('maps the keys too when asked, and leaves objects that are not plain as they are', () => {
    const when = new Date(0);
    const out = mapStrings({ k: 'v', when }, (s) => s.toUpperCase(), { keys: true });
    expect(out).toEqual({ K: 'V', WHEN: when });
    expect(Object.values(out)).toContain(when);
  });
});
