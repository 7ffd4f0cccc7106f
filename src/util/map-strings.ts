/**
 * A copy of a JSON value with every string passed through `f`, with the key it is the value of (undefined
 * in an array or at the top), and with `keys` the object keys too. Only arrays and plain objects are
 * walked into; any other object is kept as it is.
 */
export function mapStrings<T>(
  value: T,
  f: (s: string, key?: string) => string,
  opts: { keys?: boolean } = {},
): T {
  return walk(value, f, opts.keys === true, undefined) as T;
}

function walk(
  value: unknown,
  f: (s: string, key?: string) => string,
  keys: boolean,
  key: string | undefined,
): unknown {
  if (typeof value === 'string') return f(value, key);
  if (Array.isArray(value)) return value.map((v) => walk(v, f, keys, undefined));
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[keys ? f(k) : k] = walk(v, f, keys, k);
    return out;
  }
  return value;
}
