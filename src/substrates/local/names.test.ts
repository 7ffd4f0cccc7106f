import {
  ALPHANUMS,
  canonicalJson,
  fnv32a,
  generateName,
  podTemplateHash,
  randomSuffix,
  safeEncode,
} from './names.js';

describe('generated names', () => {
  it('encodes digits into the characters a pod-template-hash is made of', () => {
    expect(safeEncode('0123456789')).toBe('456789bcdf');
    expect(ALPHANUMS).toHaveLength(27);
  });

  it('hashes with FNV-1a 32', () => {
    expect(fnv32a('')).toBe(0x811c9dc5);
    expect(fnv32a('a')).toBe(0xe40c292c);
    expect(fnv32a('foobar')).toBe(0xbf9cf968);
  });

  it('gives a template the same hash whatever the order of its fields, and another template another', () => {
    const a = {
      metadata: { labels: { app: 'cart', tier: 'web' } },
      spec: { containers: [{ name: 'cart', image: 'x:1' }] },
    };
    const b = {
      spec: { containers: [{ image: 'x:1', name: 'cart' }] },
      metadata: { labels: { tier: 'web', app: 'cart' } },
    };
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(podTemplateHash(a)).toBe(podTemplateHash(b));
    expect(podTemplateHash(a)).not.toBe(
      podTemplateHash({ ...a, spec: { containers: [{ name: 'cart', image: 'x:2' }] } }),
    );
    expect(podTemplateHash(a, 1)).not.toBe(podTemplateHash(a));
    for (const t of [a, {}, { spec: { replicas: 3 } }])
      expect(podTemplateHash(t)).toMatch(/^[4-9bcdf]{1,10}$/);
  });

  it('draws 5-character suffixes from the alphabet and retries a name that is taken', () => {
    expect(randomSuffix()).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    const draws = [0, 0, 0, 0, 0, 1, 1, 1, 1, 1];
    const random = (): number => draws.shift() ?? 2;
    expect(generateName('cart-7d9f8c6b45', (n) => n === 'cart-7d9f8c6b45-bbbbb', random)).toBe(
      'cart-7d9f8c6b45-ccccc',
    );
    // The API server keeps 58 characters of the prefix, so names stay within 63.
    expect(generateName('x'.repeat(80), () => false)).toMatch(/^x{58}[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  });
});
