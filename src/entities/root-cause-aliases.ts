import type { RootCause } from './alias-set.js';
import { tryParseEntityId } from './entity-id.js';
import { podBelongsTo } from './pod-workload.js';

/** The part of a snapshot's topology the alias rule reads (bundle/records' Topology has this shape). */
export interface OwnershipGraph {
  entities: ReadonlyArray<{ id: string }>;
  edges: ReadonlyArray<{ from: string; to: string; type: string }>;
}

/**
 * Aliases of each root cause from the live topology: a Deployment is also named by its ReplicaSets,
 * its pods (including pods seen only in events or logs of the window because they have since gone)
 * and the Services that select them or its pod template.
 */
export function withAliases(
  rootIds: string[],
  topology: OwnershipGraph,
  seenEntities: Iterable<string>,
): RootCause[] {
  const seen = new Set(seenEntities);
  for (const e of topology.entities) seen.add(e.id);
  return rootIds.map((id) => {
    const ref = tryParseEntityId(id);
    const aliases = new Set<string>();
    if (ref.ok && ref.ref.kind === 'Deployment') {
      const ns = ref.ref.namespace;
      const owned = new Set<string>();
      for (const e of topology.edges) {
        if (e.type === 'owns' && e.from === id) owned.add(e.to);
      }
      for (const e of topology.edges) {
        if (e.type === 'owns' && owned.has(e.from)) owned.add(e.to);
      }
      for (const s of seen) {
        const p = tryParseEntityId(s);
        if (p.ok && p.ref.kind === 'Pod' && p.ref.namespace === ns && podBelongsTo(p.ref.name, ref.ref.name))
          owned.add(p.id);
      }
      for (const o of owned) aliases.add(o);
      for (const e of topology.edges) {
        // A Service selecting its pods, or its pod template (the edge that holds with no pod running).
        if (e.type === 'selects' && (owned.has(e.to) || e.to === id)) aliases.add(e.from);
      }
    }
    aliases.delete(id);
    return { id, aliases: [...aliases].sort() };
  });
}
