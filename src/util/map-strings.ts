/**
 * A copy of a JSON value with every string passed through `f`, and with `keys` the object keys too. Only
 * arrays and plain objects are walked into; any other object is kept as it is.
 */
export function mapStrings<T>(value: T, f: (s: string) => string, opts: { keys?: boolean } = {}): T {
  return walk(value, f, opts.keys === true) as T;
}

function walk(value: unknown, f: (s: string) => string, keys: boolean): unknown {
  if (typeof value === 'string') return f(value);
  if (Array.isArray(value)) return value.map((v) => walk(v, f, keys));
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[keys ? f(k) : k] = walk(v, f, keys);
    return out;
  }
  return value;
}
