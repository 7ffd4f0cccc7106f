import { tryParseEntityId, type EntityId } from '../entities/index.js';

/** The canonical id of an entry, or why it is not one. */
export type Normalised = { ok: true; id: EntityId } | { ok: false; error: string };

/**
 * Answers across a corpus (and across 100k bench answers) repeat the same few dozen ids, so parsing each
 * string once pays for itself. Bounded so a stream of unique garbage cannot grow it without limit.
 */
const MAX_ENTRIES = 50_000;
const cache = new Map<string, Normalised>();

export function normaliseCached(text: string): Normalised {
  let hit = cache.get(text);
  if (hit === undefined) {
    const r = tryParseEntityId(text);
    hit = r.ok ? { ok: true, id: r.id } : { ok: false, error: r.error };
    if (cache.size >= MAX_ENTRIES) cache.clear();
    cache.set(text, hit);
  }
  return hit;
}
