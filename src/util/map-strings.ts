/**
 * A copy of a JSON value with every string (not the keys) passed through `f`, with the key it is the value
 * of (undefined in an array or at the top).
 */
export function mapStrings<T>(value: T, f: (s: string, key?: string) => string): T {
  return walk(value, f, undefined) as T;
}

function walk(value: unknown, f: (s: string, key?: string) => string, key: string | undefined): unknown {
  if (typeof value === 'string') return f(value, key);
  if (Array.isArray(value)) return value.map((v) => walk(v, f, undefined));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = walk(v, f, k);
    return out;
  }
  return value;
}
