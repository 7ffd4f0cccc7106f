import { tryParseEntityId, type EntityId } from '../../src/entities/index.js';

/** Candidate ids in free text: `ns/Kind/name` or `Kind/name`. */
const ID_LIKE = /\b(?:[a-z0-9][a-z0-9-]*\/)?[A-Za-z]+\/[a-z0-9][a-z0-9.-]*[a-z0-9]\b/g;

function firstJsonWithEntities(text: string): unknown[] | null {
  const fenced = [...text.matchAll(/```(?:json)?\s*([\s\S]*?)```/g)].map((m) => m[1]);
  const braces: string[] = [];
  for (let i = text.indexOf('{'); i !== -1; i = text.indexOf('{', i + 1)) {
    const end = text.lastIndexOf('}');
    if (end > i) braces.push(text.slice(i, end + 1));
  }
  for (const candidate of [...fenced, ...braces]) {
    try {
      const doc = JSON.parse(candidate) as unknown;
      if (Array.isArray(doc)) return doc;
      const list = (doc as { entities?: unknown }).entities;
      if (Array.isArray(list)) return list;
    } catch {
      // not this one
    }
  }
  return null;
}

/**
 * The model's answer as canonical entity ids, in its order: the `{"entities": [...]}` it was asked for
 * (in a code fence or not), else every id-like token in its text. With `known` (the snapshot's
 * topology), ids not in it are dropped, since a model may invent plausible names; if that would drop
 * everything, the parsed ids are kept as they are.
 */
export function parseEntities(text: string, known?: ReadonlySet<string>): EntityId[] {
  const list = firstJsonWithEntities(text);
  const raw = (list ?? text.match(ID_LIKE) ?? [])
    .map((x) =>
      typeof x === 'string'
        ? x
        : typeof (x as { name?: unknown })?.name === 'string'
          ? (x as { name: string }).name
          : null,
    )
    .filter((x): x is string => x !== null);
  const ids: EntityId[] = [];
  for (const r of raw) {
    const p = tryParseEntityId(r);
    if (p.ok && !ids.includes(p.id)) ids.push(p.id);
  }
  if (known === undefined || known.size === 0) return ids;
  const kept = ids.filter((id) => known.has(id));
  return kept.length > 0 ? kept : ids;
}
