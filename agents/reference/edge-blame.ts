import type { EntityId } from '../../src/entities/index.js';
import { median } from './change-point.js';
import type { EntityIndex } from './entity-index.js';
import type { SignalName, Symptom } from './evidence.js';
import { statusOf } from './kube.js';
import { isServiceAddress } from './service-address.js';
import { clock } from './time.js';

/** Failure codes that mean the call never reached a server. */
export const CONNECT_CODES =
  /^(ECONNREFUSED|ETIMEDOUT|ECONNRESET|EHOSTUNREACH|ENETUNREACH|EPIPE|ESOCKETTIMEDOUT|ECONNABORTED|timeout|error)$/i;
/** The name did not resolve: the caller asked for something that does not exist, or its resolver is broken. */
export const DNS_CODES = /^(ENOTFOUND|EAI_AGAIN|EAI_NONAME)$/i;
/**
 * The server answered that the request itself is wrong: no such endpoint, method or shape. The caller
 * built it, so its configuration or code is at fault, not the server that said so.
 */
export const REQUEST_CODES = /^HTTP_(400|404|405|406|410|415)$/i;
/** The server answered and refused the caller's credentials. */
export const AUTH_CODES = /^(WRONGPASS|NOAUTH|NOPERM|HTTP_401|HTTP_403|EACCES|unauthorized|forbidden)$/i;
/**
 * The shop's code for a statement that gave up waiting for a pooled connection (postgres-client.ts): it
 * never left the caller, so it is no failed call to the store but the caller's own pool running dry.
 */
export const POOL_TIMEOUT = 'POOL_TIMEOUT';

export interface FailedCall {
  at: number;
  code: string;
  address?: string;
  /** The caller's timeout, when the failure names it ("timed out after 1ms"). */
  timeoutMs?: number;
}

/** One caller's failing calls to one dependency, as a signal saw them. */
export interface EdgeObservation {
  signal: SignalName;
  caller: EntityId;
  /** The dependency's name as telemetry spells it (peer.service, `dependency` log field). */
  peer: string;
  callee?: EntityId;
  failures: FailedCall[];
  /** 0..1: how much of the caller's traffic to it fails, and how often. */
  strength: number;
  start: number;
  /** "40 of 52 calls" or "31 failed attempts". */
  volume: string;
  /** Addresses seen working for this dependency (traces know; logs do not). */
  goodAddresses?: Set<string>;
  /** The callee kept serving other callers while these calls failed. */
  calleeServesOthers?: boolean;
  /** Share of this caller's calls to it that failed since `start` (undefined: not known). */
  failShare?: number;
  /** End of what the signal observed (the window's end): failures that stopped well before it had healed. */
  observedUntil?: number;
  /**
   * When a call on this edge last went fine, where the signal sees calls that went fine (traces do, logs
   * do not): failures that stopped because the caller stopped calling (its own pods unready, no traffic
   * reaching it) have not healed.
   */
  lastOk?: number | null;
}

/** Below this share of failed calls an edge fails in part: a lossy path, not a caller's wrong setting. */
const PARTIAL_SHARE = 0.8;

/** A burst no longer than this that stopped at least HEALED_MS before the end of the data is a blip. */
const BLIP_MS = 30_000;
const HEALED_MS = 30_000;
/** What a healed blip keeps of its strength: a pod replaced or restarted, a hiccup, not the incident. */
export const BLIP_FACTOR = 0.35;

/**
 * When the failures of the commonest code were a short burst that healed long before capture: the time
 * they stopped. A stray failure of another kind later (a retried 503) does not make the burst ongoing;
 * where the signal sees calls that went fine, one must have gone fine after the burst.
 */
export function healedAt(
  obs: Pick<EdgeObservation, 'failures' | 'observedUntil' | 'lastOk'>,
  code: string,
): number | null {
  if (obs.observedUntil === undefined || obs.failures.length === 0) return null;
  let first = Infinity;
  let last = -Infinity;
  for (const f of obs.failures) {
    if (f.code !== code) continue;
    first = Math.min(first, f.at);
    last = Math.max(last, f.at);
  }
  const resumed = obs.lastOk === undefined || (obs.lastOk !== null && obs.lastOk > last);
  return resumed && last - first <= BLIP_MS && obs.observedUntil - last >= HEALED_MS ? last : null;
}

/**
 * Whose fault a failing call is. Credentials refused: the caller's secret or the server's password
 * changed (both sides are reported; the ranker decides with restart timing). An error answer from a
 * server that emits no spans (a datastore): the server. No answer at all: the callee is down or
 * unreachable — unless the caller dials an address that is not the dependency's Service, or other
 * callers reach the same dependency fine, which makes the caller's configuration the cause.
 */
export function blameEdge(obs: EdgeObservation, index: EntityIndex): Symptom[] {
  const out: Symptom[] = [];
  const codes = new Map<string, number>();
  const addrs = new Map<string, number>();
  for (const f of obs.failures) {
    codes.set(f.code, (codes.get(f.code) ?? 0) + 1);
    if (f.address) addrs.set(f.address, (addrs.get(f.address) ?? 0) + 1);
  }
  const topCode = [...codes.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 'error';
  const topAddr = [...addrs.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
  const codeText = [...codes.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([c, n]) => `${c} ×${n}`)
    .join(', ');
  const where = `${shortId(obs.caller)} → ${obs.peer}`;
  const healed = healedAt(obs, topCode);
  const strength = healed === null ? obs.strength : obs.strength * BLIP_FACTOR;
  const since = `since ${clock(obs.start)}${healed === null ? '' : `, stopped at ${clock(healed)}`}`;
  const base = { signal: obs.signal, at: obs.start };

  if (AUTH_CODES.test(topCode)) {
    out.push({
      ...base,
      workload: obs.caller,
      kind: 'auth',
      weight: strength,
      detail: `${where}: credentials rejected (${codeText}) ${since}`,
      ...(obs.callee ? { peer: obs.callee } : {}),
    });
    if (obs.callee)
      out.push({
        ...base,
        workload: obs.callee,
        kind: 'auth-rejects',
        weight: strength,
        detail: `rejects ${shortId(obs.caller)}'s credentials (${codeText}) ${since}`,
        peer: obs.caller,
      });
    return out;
  }
  if (REQUEST_CODES.test(topCode)) {
    out.push({
      ...base,
      workload: obs.caller,
      kind: 'misrouted',
      weight: strength * 0.8,
      detail: `${where}: ${obs.volume} answered that the request is wrong (${codeText}) ${since}: the caller asks for something ${obs.peer} does not serve`,
      ...(obs.callee ? { peer: obs.callee } : {}),
    });
    if (obs.callee)
      out.push({
        ...base,
        workload: obs.callee,
        kind: 'errors',
        weight: strength * 0.15,
        detail: `${where}: calls answered ${codeText} ${since}, ${obs.volume}`,
        peer: obs.caller,
      });
    return out;
  }
  const connectionLevel = CONNECT_CODES.test(topCode) || DNS_CODES.test(topCode);
  if (!connectionLevel) {
    if (obs.callee)
      out.push({
        ...base,
        workload: obs.callee,
        kind: 'errors',
        weight: strength,
        detail: `${where}: calls answered with errors (${codeText}) ${since}, ${obs.volume}`,
        peer: obs.caller,
      });
    return out;
  }
  const atService = topAddr ? isServiceAddress(index, obs.peer, obs.callee, topAddr) : undefined;
  const misdialled =
    atService === false ||
    (atService === undefined &&
      !!topAddr &&
      !!obs.goodAddresses &&
      obs.goodAddresses.size > 0 &&
      !obs.goodAddresses.has(topAddr));
  // A caller that gives up after a few milliseconds has a timeout misconfigured, whatever the callee does.
  const timeouts = obs.failures.map((f) => f.timeoutMs).filter((t): t is number => t !== undefined);
  const impatient = timeouts.length >= obs.failures.length / 3 && median(timeouts) < 50;
  // A wrong setting in the caller fails every call; a path that drops some connections (loss, resets on
  // the link) lets the rest through from the same caller to the same address, so it is not the caller's.
  const consistent = obs.failShare === undefined || obs.failShare >= PARTIAL_SHARE;
  const callerBlame =
    misdialled || impatient
      ? 1
      : DNS_CODES.test(topCode)
        ? 0.7
        : obs.calleeServesOthers && consistent
          ? 0.6
          : 0;
  if (callerBlame > 0) {
    out.push({
      ...base,
      workload: obs.caller,
      kind: 'misrouted',
      weight: strength * callerBlame,
      ...(misdialled || impatient ? { definite: true } : {}),
      detail: impatient
        ? `${where}: gives up after ${median(timeouts)}ms; ${obs.volume} timed out (${codeText}) ${since}`
        : misdialled
          ? `${where}: dials ${topAddr}, which is not ${obs.peer}'s Service address; ${obs.volume} failed (${codeText}) ${since}`
          : obs.calleeServesOthers
            ? `${where}: ${obs.volume} failed (${codeText}) ${since} while ${obs.peer} served other callers fine`
            : `${where}: ${obs.volume} failed to resolve (${codeText}) ${since}`,
      ...(obs.callee ? { peer: obs.callee } : {}),
    });
  }
  // Every call to a callee whose pods all stayed ready went unanswered by timeout: the calls were lost
  // on the way (a partition, a policy, the caller's own side of the network), not refused by a dead
  // server, so the caller's end of the link is a suspect too, after the callee SREs check first.
  const timedOut = /^(ETIMEDOUT|ESOCKETTIMEDOUT|timeout)$/i.test(topCode);
  if (
    callerBlame === 0 &&
    timedOut &&
    consistent &&
    obs.callee &&
    podsAllReady(index, obs.callee) &&
    !dialledServiceMissesPods(index, obs.callee)
  ) {
    out.push({
      ...base,
      workload: obs.caller,
      kind: 'misrouted',
      weight: strength * LINK_CALLER_SHARE,
      detail: `${where}: ${obs.volume} got no answer (${codeText}) ${since} while every pod of ${obs.peer} stayed ready: lost between them`,
      peer: obs.callee,
    });
  }
  if (obs.callee) {
    out.push({
      ...base,
      workload: obs.callee,
      kind: 'unreachable',
      weight: strength * (1 - 0.85 * callerBlame),
      detail: `${where}: ${obs.volume} got no answer (${codeText}) ${since}${topAddr ? ` dialling ${topAddr}` : ''}`,
      peer: obs.caller,
    });
  }
  return out;
}

/** What a lost link puts on the caller's end, against the callee's whole strength. */
const LINK_CALLER_SHARE = 0.45;

/**
 * The Service callers dial for the workload (the one named like it) selects none of its pods: calls to
 * it go nowhere however ready the pods are, which is the Service's doing, not a link lost on the way
 * (the misconfiguration signal names the Service).
 */
function dialledServiceMissesPods(index: EntityIndex, workload: EntityId): boolean {
  const w = index.workloads.get(workload);
  if (!w) return false;
  const dialled = index.servicesOf(w).filter((svc) => w.telemetryNames.has(svc.metadata.name));
  return (
    dialled.length > 0 &&
    dialled.every((svc) => !index.workloadsBehindService(svc.entity).some((b) => b.id === w.id))
  );
}

/** The workload has pods at capture and every one of them is Ready. */
function podsAllReady(index: EntityIndex, workload: EntityId): boolean {
  // Pods there at capture: one the window saw deleted was last seen ready, and then it was gone (a
  // workload whose replacements were never created has no pod left to have stayed ready).
  const pods = [...index.knownPods()].filter((p) => index.workloadOf(p)?.id === workload && index.isLive(p));
  return (
    pods.length > 0 &&
    pods.every((p) => {
      const conditions = statusOf<{ conditions?: Array<{ type?: string; status?: string }> }>(
        index.get(p),
      ).conditions;
      return (conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
    })
  );
}

export function shortId(id: EntityId): string {
  const parts = id.split('/');
  return parts.length === 3 ? `${parts[1]}/${parts[2]}` : id;
}
