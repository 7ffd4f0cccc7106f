import { randomInt } from 'node:crypto';

/**
 * The characters Kubernetes builds generated names and hashes from (k8s.io/apimachinery util/rand):
 * no vowels, so no word can be spelled by chance, and none of 0, 1, 3 that read like letters.
 */
export const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

/** A random string of `n` characters from ALPHANUMS, as rand.String draws the suffix of a generateName. */
export function randomSuffix(n = 5, random: (max: number) => number = randomInt): string {
  let s = '';
  for (let i = 0; i < n; i++) s += ALPHANUMS[random(ALPHANUMS.length)];
  return s;
}

/**
 * rand.SafeEncodeString: each character mapped into ALPHANUMS by its code. The controllers feed it the
 * decimal digits of a 32-bit hash, so a pod-template-hash only ever holds the ten characters digits map
 * to (4-9, b, c, d, f) and is as long as the number (10 characters for most hashes).
 */
export function safeEncode(s: string): string {
  let out = '';
  for (const ch of s) out += ALPHANUMS[(ch.codePointAt(0) ?? 0) % ALPHANUMS.length];
  return out;
}

/** FNV-1a, 32 bits: the hash controller.ComputeHash feeds the pod template through. */
export function fnv32a(data: string | Uint8Array): number {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  let h = 0x811c9dc5;
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** JSON with object keys sorted, so equal templates hash equally whatever order their fields were written in. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/**
 * The pod-template-hash the Deployment controller gives a template (controller.ComputeHash): FNV-1a of
 * the template, plus the collision count when there is one, safe-encoded from its decimal digits. The
 * real controller hashes Go's dump of the struct, which cannot be reproduced here; the canonical JSON
 * gives the same properties (stable per template, different across templates) and the same shape.
 */
export function podTemplateHash(template: unknown, collisionCount?: number): string {
  const bytes = new TextEncoder().encode(canonicalJson(template ?? {}));
  let data: Uint8Array = bytes;
  if (collisionCount !== undefined) {
    const extra = new Uint8Array(8);
    new DataView(extra.buffer).setUint32(0, collisionCount >>> 0, true);
    data = new Uint8Array(bytes.length + extra.length);
    data.set(bytes);
    data.set(extra, bytes.length);
  }
  return safeEncode(String(fnv32a(data)));
}

/** Longest prefix the API server keeps of a generateName: 63 characters less the random suffix. */
const MAX_GENERATED_PREFIX = 58;

/**
 * `<base>-<5 random characters>` as the API server completes a generateName (the prefix cut to 58
 * characters), drawn again while `taken` says the name exists (the API server would refuse it and the
 * controller retry).
 */
export function generateName(
  base: string,
  taken: (name: string) => boolean,
  random?: (max: number) => number,
): string {
  const prefix = `${base}-`.slice(0, MAX_GENERATED_PREFIX);
  for (;;) {
    const name = `${prefix}${randomSuffix(5, random)}`;
    if (!taken(name)) return name;
  }
}
