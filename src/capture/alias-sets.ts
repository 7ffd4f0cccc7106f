import type { Topology } from '../bundle/records.js';
import type { RootCause } from '../entities/alias-set.js';
import { tryParseEntityId } from '../entities/entity-id.js';

/** Pod names a Deployment's ReplicaSets give their pods: `<deploy>-<n>` locally, `<deploy>-<hash>-<id>` in a cluster. */
function podOfDeployment(podName: string, deployment: string): boolean {
  if (!podName.startsWith(`${deployment}-`)) return false;
  const rest = podName.slice(deployment.length + 1);
  return /^\d+$/.test(rest) || /^[a-z0-9]{5,10}-[a-z0-9]{5}$/.test(rest);
}

/**
 * Aliases of each root cause from the live topology: a Deployment is also named by its ReplicaSets,
 * its pods (including pods seen only in events or logs of the window because they have since gone)
 * and the Services that select them.
 */
export function withAliases(
  rootIds: string[],
  topology: Topology,
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
        if (
          p.ok &&
          p.ref.kind === 'Pod' &&
          p.ref.namespace === ns &&
          podOfDeployment(p.ref.name, ref.ref.name)
        )
          owned.add(p.id);
      }
      for (const o of owned) aliases.add(o);
      for (const e of topology.edges) {
        if (e.type === 'selects' && owned.has(e.to)) aliases.add(e.from);
      }
    }
    aliases.delete(id);
    return { id, aliases: [...aliases].sort() };
  });
}
