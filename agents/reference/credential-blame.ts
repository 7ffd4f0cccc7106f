import type { EntityId } from '../../src/entities/index.js';
import { shortId } from './edge-blame.js';
import type { EntityIndex, Workload } from './entity-index.js';
import type { SignalName, Suspect, Symptom } from './evidence.js';
import type { PodLife } from './pod-lifecycle.js';
import { clock } from './time.js';

/**
 * Rejected credentials: the caller's Secret changed, or the server's password did. Pods started shortly
 * before they first failed read a credential at start that no longer matches (the Secret is at fault);
 * pods that were working and then began failing met a server that changed (the server is at fault).
 * Adds a suspect per Secret the caller reads, and weakens the server's share when the caller was
 * restarted, since a server that did not change explains little — unless the recorded history shows
 * that none of those Secrets changed in the window: then the restart only re-read a credential that
 * worked, and the server is what changed.
 */
export function blameCredentials(
  signal: SignalName,
  caller: Workload,
  callee: EntityId | undefined,
  firstFailureByPod: Map<EntityId, number>,
  index: EntityIndex,
  pods: Map<EntityId, PodLife>,
  symptoms: Symptom[],
): Suspect[] {
  let fresh = 0;
  let firstStart = Infinity;
  let firstFail = Infinity;
  for (const [pod, failAt] of firstFailureByPod) {
    const life = pods.get(pod);
    firstFail = Math.min(firstFail, failAt);
    if (life?.started != null && failAt >= life.started && failAt - life.started < 120_000) {
      fresh++;
      firstStart = Math.min(firstStart, life.started);
    }
  }
  const restarted = firstFailureByPod.size > 0 && fresh === firstFailureByPod.size;
  const secrets = [...index.configOf(caller)].filter((id) => id.includes('/Secret/'));
  // A restart re-reads the Secret; if no Secret it reads changed in the window, the restarted pods read the
  // credential that worked before, and what changed is the server.
  const secretChanged = secrets.some((id) => !index.unchangedInWindow(id));
  if (restarted && secretChanged) for (const s of symptoms) if (s.kind === 'auth-rejects') s.weight *= 0.35;
  const calleeWorkload = callee ? index.workloads.get(callee) : undefined;
  const calleeConfig = calleeWorkload ? index.configOf(calleeWorkload) : new Set<EntityId>();
  const out: Suspect[] = [];
  for (const id of secrets) {
    const shared = calleeConfig.has(id);
    const unchanged = index.unchangedInWindow(id);
    // A credential read wrong at start is also why the server rejects it: its rejections (and the command
    // errors they are counted as) are this Secret's doing, not the server's.
    const server = restarted && !unchanged && callee !== undefined;
    out.push({
      signal,
      entity: id,
      weight: (unchanged ? 0.1 : restarted ? 0.75 : 0.3) + (shared ? 0.1 : 0),
      at: restarted ? firstStart : null,
      affects: server ? [caller.id, callee] : [caller.id],
      explains: [
        'auth',
        'not-ready',
        'errors',
        'unreachable',
        ...(server ? (['auth-rejects'] as const) : []),
      ],
      detail:
        (restarted
          ? `${shortId(caller.id)}'s pods were (re)started and had their credentials rejected from their first connection (${clock(firstFail)}); they read ${shortId(id)}${shared ? `, which ${shortId(callee ?? '')} reads too` : ''}`
          : `${shortId(caller.id)}'s credentials for ${shortId(callee ?? 'its dependency')} are rejected; they come from ${shortId(id)}`) +
        (unchanged ? ', which did not change in the window' : ''),
    });
  }
  return out;
}
