import type { EntityId } from './entity-id.js';
import { tryParseEntityId } from './entity-id.js';

/** A root cause and the other ids that name the same fault (its pods, the Services selecting it). */
export interface RootCause {
  id: EntityId;
  aliases: EntityId[];
}

/** Every canonical id that matches this root cause, the id first. Unparseable aliases are dropped. */
export function matchSet(rc: RootCause): Set<EntityId> {
  const set = new Set<EntityId>();
  for (const raw of [rc.id, ...rc.aliases]) {
    const p = tryParseEntityId(raw);
    if (p.ok) set.add(p.id);
  }
  return set;
}
