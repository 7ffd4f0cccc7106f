import type { EntityId } from '../../../src/entities/index.js';
import { median, mode, quantile, sustainedStart, upwardShift } from '../change-point.js';
import type { EntityIndex } from '../entity-index.js';
import { blameCredentials } from '../credential-blame.js';
import { AUTH_CODES, BLIP_FACTOR, blameEdge, healedAt, POOL_TIMEOUT, shortId } from '../edge-blame.js';
import type { PodLife } from '../pod-lifecycle.js';
import { clamp01, emptyEvidence, type Evidence } from '../evidence.js';
import type { SpanLite } from '../read-snapshot.js';
import { clock } from '../time.js';

interface EdgeStats {
  caller: EntityId;
  peer: string;
  callee?: EntityId;
  calls: SpanLite[];
  /** Failed attempts that got no answer from a traced server. */
  unanswered: SpanLite[];
  /** Attempts that timed out while the traced server was still working on them. */
  waitedOut: Array<{ client: SpanLite; server: SpanLite }>;
  /** How long the callee took on calls that went fine (its normal answer time). */
  answered: number[];
  /** [start, client time − server time] of calls that went fine: time spent between the two ends. */
  wire: Array<[number, number]>;
  /** Failed calls a server of another workload answered: the caller dials the wrong service. */
  misanswered: Array<{ client: SpanLite; by: EntityId }>;
}

/**
 * Traces: where failures and slowness start. An error span whose children all succeeded is where an
 * error originates; a failed client span with no server span below it is a call that never arrived
 * (the callee is unreachable, or the caller dialled the wrong place); self time (a server span's time
 * minus its outbound calls) shows which service got slower on its own.
 */
export function traceSignal(spans: SpanLite[], index: EntityIndex, pods: Map<EntityId, PodLife>): Evidence {
  const ev = emptyEvidence();
  if (spans.length === 0) return ev;
  const children = new Map<string, SpanLite[]>();
  for (const s of spans) {
    if (!s.parentId) continue;
    const list = children.get(s.parentId);
    if (list) list.push(s);
    else children.set(s.parentId, [s]);
  }
  const wOf = new Map<SpanLite, EntityId | undefined>();
  const workloadOf = (s: SpanLite): EntityId | undefined => {
    if (wOf.has(s)) return wOf.get(s);
    const w = (index.workloadOf(s.entity) ?? index.workloadByTelemetry(s.service))?.id;
    wOf.set(s, w);
    return w;
  };

  const serverTimes = new Map<EntityId, number[]>();
  const ownErrors = new Map<EntityId, SpanLite[]>();
  const ownRefusals = new Map<EntityId, SpanLite[]>();
  const edges = new Map<string, EdgeStats>();
  const selfTimes = new Map<EntityId, Array<[number, number]>>();
  const callPairs = new Set<string>();
  const poolWaits = new Map<EntityId, SpanLite[]>();

  for (const s of spans) {
    const w = workloadOf(s);
    if (!w) continue;
    if (s.kind === 'server') {
      push(serverTimes, w, s.start);
      const kids = children.get(s.spanId) ?? [];
      if (s.error && !kids.some((k) => k.error)) push(ownErrors, w, s);
      else if (refusal(s) && !kids.some(refusal)) push(ownRefusals, w, s);
      push(selfTimes, w, [s.start, selfTime(s, kids)]);
      continue;
    }
    if (s.kind !== 'client' || !s.peer) continue;
    // A statement that never got a pooled connection never left the caller: not a call that failed.
    if (s.errorType === POOL_TIMEOUT) {
      push(poolWaits, w, s);
      continue;
    }
    const callee = index.workloadByTelemetry(s.peer, namespaceOf(w))?.id;
    if (callee && callee !== w && !callPairs.has(`${w}|${callee}`)) {
      callPairs.add(`${w}|${callee}`);
      ev.calls.push({ from: w, to: callee });
    }
    const key = `${w}|${s.peer}`;
    let e = edges.get(key);
    if (!e)
      edges.set(
        key,
        (e = {
          caller: w,
          peer: s.peer,
          callee,
          calls: [],
          unanswered: [],
          waitedOut: [],
          answered: [],
          wire: [],
          misanswered: [],
        }),
      );
    e.calls.push(s);
    const served = (children.get(s.spanId) ?? []).filter((k) => k.kind === 'server');
    const answeredBy = served[0] ? workloadOf(served[0]) : undefined;
    if (s.error && callee && answeredBy && answeredBy !== callee) {
      e.misanswered.push({ client: s, by: answeredBy });
      continue;
    }
    if (!s.error) {
      if (served[0]) {
        e.answered.push(served[0].durationMs);
        e.wire.push([s.start, Math.max(0, s.durationMs - served[0].durationMs)]);
      }
      continue;
    }
    if (served.length === 0) e.unanswered.push(s);
    // an answer that came (a 4xx) is no call given up on while the server worked
    else if (!served.some((k) => k.error) && s.httpStatus === undefined)
      e.waitedOut.push({ client: s, server: served[0] });
  }

  // Errors that originate in a service's own code.
  for (const [w, errs] of ownErrors) {
    const run = ownRun(errs, serverTimes.get(w) ?? []);
    if (!run || run.weight < 0.05) continue;
    const { start, after, total, share } = run;
    const sample = errs[errs.length - 1];
    ev.symptoms.push({
      signal: 'traces',
      workload: w,
      kind: 'errors',
      weight: run.weight,
      at: start,
      detail: `${after} of ${total} server spans failed in its own code since ${clock(start)} (${pct(share)}; e.g. ${sample.name} → ${sample.httpStatus ?? sample.errorType ?? 'error'})`,
    });
  }

  for (const [w, refused] of ownRefusals) refusalSymptom(w, refused, serverTimes.get(w) ?? [], ev);

  publisherSuspects(spans, children, workloadOf, ev);
  for (const [w, waits] of poolWaits) poolSymptom(w, waits, edges, ev);

  // The traces' own end stands for the end of the observation (a span's start is all a SpanLite dates).
  let observedUntil = -Infinity;
  for (const s of spans) observedUntil = Math.max(observedUntil, s.start);
  for (const e of edges.values()) edgeSymptoms(e, spans, observedUntil, index, workloadOf, pods, ev);
  const all = [...edges.values()];
  // Each edge's wire time split once: both the link and the untraced-store rules read it.
  const wireSides = new Map(all.map((e) => [e, splitSides(e.wire, 10)]));
  wireSymptoms(all, wireSides, ev);
  untracedCalleeLatency(all, wireSides, new Set(serverTimes.keys()), selfTimes, ev);

  // Self time: slowness a service adds by itself.
  for (const [w, pts] of selfTimes) {
    const shift = upwardShift(pts, 15);
    if (!shift) continue;
    const diff = shift.after - shift.before;
    const ratio = (shift.after + 1) / (shift.before + 1);
    if (diff < 40 || ratio < 1.8) continue;
    const weight = shiftWeight(shift.before, shift.after);
    if (weight < 0.05) continue;
    ev.symptoms.push({
      signal: 'traces',
      workload: w,
      kind: 'latency',
      weight,
      at: shift.at,
      detail: `own time per request (mean, excluding calls it waits on) rose from ${ms(shift.before)} to ${ms(shift.after)} at ${clock(shift.at)}`,
    });
  }
  return ev;
}

/** When a call on the edge last went fine (null: none did). */
function lastOkCall(e: EdgeStats): number | null {
  return e.calls.reduce<number | null>((t, c) => (c.error ? t : Math.max(t ?? c.start, c.start)), null);
}

function edgeSymptoms(
  e: EdgeStats,
  all: SpanLite[],
  observedUntil: number,
  index: EntityIndex,
  workloadOf: (s: SpanLite) => EntityId | undefined,
  pods: Map<EntityId, PodLife>,
  ev: Evidence,
): void {
  const lastOk = lastOkCall(e);
  // Calls the caller gave up on while the server was still working: either the server is slow, or the
  // caller's timeout is shorter than the server's normal answer time (a caller misconfiguration).
  if (e.waitedOut.length >= 3 && e.callee) {
    const start = sustainedStart(e.waitedOut.map((x) => x.client.start)) ?? e.waitedOut[0].client.start;
    const gaveUpAfter = median(e.waitedOut.map((x) => x.client.durationMs));
    const normal = e.answered.length >= 5 ? median(e.answered) : undefined;
    const impatient = normal !== undefined && gaveUpAfter < Math.max(2 * normal, 50) && gaveUpAfter < 500;
    // A few seconds of slowness that passed long before capture, calls going fine since, is a blip (a
    // pod replaced, a pause), as for calls that got no answer.
    const healed = impatient
      ? null
      : healedAt(
          {
            failures: e.waitedOut.map((x) => ({ at: x.client.start, code: 'timeout' })),
            observedUntil,
            lastOk,
          },
          'timeout',
        );
    const weight = clamp01(e.waitedOut.length / 20) * (healed === null ? 1 : BLIP_FACTOR);
    ev.symptoms.push(
      impatient
        ? {
            signal: 'traces',
            workload: e.caller,
            kind: 'misrouted',
            weight,
            at: start,
            detail: `${e.waitedOut.length} calls to ${e.peer} given up after ~${Math.round(gaveUpAfter)}ms, though it answers in ~${Math.round(normal)}ms: the caller's timeout is too short`,
            peer: e.callee,
            definite: true,
          }
        : {
            signal: 'traces',
            workload: e.callee,
            kind: 'latency',
            weight,
            at: start,
            detail: `${e.waitedOut.length} calls from ${shortId(e.caller)} gave up waiting on it after ~${Math.round(gaveUpAfter)}ms (${e.waitedOut[0].client.errorType ?? 'timeout'})${healed === null ? '' : `, stopped at ${clock(healed)}`}`,
            peer: e.caller,
          },
    );
  }
  misansweredSymptom(e, ev);
  if (e.unanswered.length < 3) return;
  const start = sustainedStart(
    e.unanswered.map((s) => s.start),
    3,
    30_000,
  );
  if (start === null) return;
  const fails = e.unanswered.filter((s) => s.start >= start);
  const callsAfter = e.calls.filter((s) => s.start >= start).length || 1;
  const share = fails.length / callsAfter;
  const strength = clamp01(share * 1.5) * clamp01(fails.length / 8);
  if (strength < 0.05) return;
  // Addresses that worked for this dependency, from any caller at any time.
  const good = new Set<string>();
  for (const s of all)
    if (s.kind === 'client' && s.peer === e.peer && s.address && !s.error) good.add(s.address);
  // Does the callee keep serving other callers meanwhile? Then the path from this caller is what broke.
  let othersOk = 0;
  let othersFail = 0;
  if (e.callee) {
    for (const s of all) {
      if (s.kind !== 'server' || s.start < start || workloadOf(s) !== e.callee) continue;
      if (s.error) othersFail++;
      else othersOk++;
    }
  }
  const symptoms = blameEdge(
    {
      signal: 'traces',
      caller: e.caller,
      peer: e.peer,
      ...(e.callee ? { callee: e.callee } : {}),
      failures: fails.map((s) => ({
        at: s.start,
        code: s.errorType ?? 'error',
        ...(s.address ? { address: s.address } : {}),
      })),
      strength,
      start,
      volume: `${fails.length} of ${callsAfter} calls`,
      goodAddresses: good,
      calleeServesOthers: othersOk >= 10 && othersOk > 4 * othersFail,
      failShare: share,
      observedUntil,
      lastOk,
    },
    index,
  );
  const auth = fails.filter((s) => s.errorType && AUTH_CODES.test(s.errorType) && s.entity);
  const caller = index.workloads.get(e.caller);
  if (caller && auth.length > fails.length / 2) {
    const firstByPod = new Map<EntityId, number>();
    for (const s of auth) if (s.entity && !firstByPod.has(s.entity)) firstByPod.set(s.entity, s.start);
    ev.suspects.push(...blameCredentials('traces', caller, e.callee, firstByPod, index, pods, symptoms));
  }
  ev.symptoms.push(...symptoms);
}

/**
 * Calls to one dependency that a server of another workload answered, and failed: the caller's address
 * for it points at the wrong service (a URL that resolves, to something that has no such endpoint). The
 * caller's configuration is at fault, definitely; neither the service that answered nor the one named is.
 */
function misansweredSymptom(e: EdgeStats, ev: Evidence): void {
  if (e.misanswered.length < 3 || !e.callee) return;
  const start = sustainedStart(
    e.misanswered.map((x) => x.client.start),
    3,
    30_000,
  );
  if (start === null) return;
  const after = e.misanswered.filter((x) => x.client.start >= start);
  const callsAfter = e.calls.filter((s) => s.start >= start).length || 1;
  const weight = clamp01((after.length / callsAfter) * 1.5) * clamp01(after.length / 8);
  if (weight < 0.05) return;
  const answerer = mode(after.map((x) => x.by));
  const sample = after[after.length - 1].client;
  ev.symptoms.push({
    signal: 'traces',
    workload: e.caller,
    kind: 'misrouted',
    weight,
    at: start,
    definite: true,
    peer: e.callee,
    detail: `${after.length} of ${callsAfter} calls to ${e.peer} since ${clock(start)} were answered by ${shortId(answerer)}${sample.address ? ` at ${sample.address}` : ''} and failed (${sample.httpStatus ?? sample.errorType ?? 'error'}): it dials the wrong service`,
  });
}

/**
 * Time between the two ends of a call: the caller's client span minus the callee's server span, on calls
 * that went fine. It grows when the link is slow or throttled, or when the callee's pods cannot take the
 * request in time (a starved node, a full accept queue), and neither side's own time shows it. A caller
 * whose calls to every traced dependency grew alike is slow to read answers itself (its event loop is
 * busy): that is its own time, left to the self-time signal. Otherwise the edge's callee is the suspect,
 * as an SRE starts at the far end of a slow link (docs/faults.md: network faults blame the destination).
 */
function wireSymptoms(
  edges: EdgeStats[],
  wireSides: ReadonlyMap<EdgeStats, Sides | null>,
  ev: Evidence,
): void {
  const shifted = new Map<
    EdgeStats,
    { callee: EntityId; at: number; before: number; after: number; tail: boolean }
  >();
  for (const e of edges) {
    if (!e.callee || e.callee === e.caller) continue;
    const sides = wireSides.get(e) ?? null;
    const whole = medianShift(sides);
    if (whole) {
      shifted.set(e, { callee: e.callee, ...whole, tail: false });
      continue;
    }
    if (!sides) continue;
    const { before: beforeWire, after: afterWire } = sides;
    // A lossy link delays only the calls whose packets were lost, each by TCP's retransmission timeouts
    // (200 ms, then 400, 800...): the median stays, the slowest tenth moves by hundreds of milliseconds.
    const tailBefore = quantile(beforeWire, 0.9);
    const tailAfter = quantile(afterWire, 0.9);
    if (afterWire.length >= 20 && tailAfter - tailBefore >= 150 && (tailAfter + 1) / (tailBefore + 1) >= 3)
      shifted.set(e, { callee: e.callee, at: sides.at, before: tailBefore, after: tailAfter, tail: true });
  }
  for (const [e, shift] of shifted) {
    const traced = edges.filter((x) => x.caller === e.caller && x.callee && x.wire.length >= 20);
    const alike = traced.filter((x) => shifted.has(x)).length;
    if (traced.length >= 2 && alike === traced.length) continue;
    // A tail is less conclusive than every call moving: some calls of a healthy link are slow too.
    const weight = shiftWeight(shift.before, shift.after) * (shift.tail ? 0.8 : 1);
    if (weight < 0.05) continue;
    ev.symptoms.push({
      signal: 'traces',
      workload: shift.callee,
      kind: 'latency',
      weight,
      at: shift.at,
      detail: shift.tail
        ? `the slowest tenth of the calls from ${shortId(e.caller)} spend ~${ms(shift.after)} between the two ends (before ~${ms(shift.before)}) since ${clock(shift.at)}, the median unchanged: packets lost and sent again on the link, or ${e.peer} slow to take some calls`
        : `calls from ${shortId(e.caller)} spend ~${ms(shift.after)} between the two ends (median; before ~${ms(shift.before)}) since ${clock(shift.at)}: on the link, or waiting for ${e.peer} to take them`,
      peer: e.caller,
    });
  }
}

/**
 * A workload that sends no spans of its own (a database, a cache) shows its slowness only in its callers'
 * client spans: the statements they send take longer. When every statement to it from one caller moves
 * (the median, not a few slow ones), the callee is slow: a lock its statements wait behind, a slow query,
 * a starved server. Without this the caller's latency alert dates the trouble there first and the
 * database's errors, which come when the waits time out, look like a consequence. Waits for a pooled
 * connection (`pg-pool.connect`) are the caller's own pool, not the store, and are left out. A caller that
 * is slow itself (its own time per request grew, or its calls to its traced dependencies grew alike: a busy
 * core reads every answer late) explains its statements' times too, and the store is left alone.
 */
function untracedCalleeLatency(
  edges: EdgeStats[],
  wireSides: ReadonlyMap<EdgeStats, Sides | null>,
  traced: ReadonlySet<EntityId>,
  selfTimes: ReadonlyMap<EntityId, Array<[number, number]>>,
  ev: Evidence,
): void {
  for (const e of edges) {
    if (!e.callee || e.callee === e.caller || traced.has(e.callee)) continue;
    const shift = medianShift(
      splitSides(
        e.calls.filter((s) => s.name !== POOL_CONNECT).map((s) => [s.start, s.durationMs]),
        10,
      ),
    );
    if (!shift) continue;
    const own = selfTimes.get(e.caller);
    if (own && medianShift(splitSides(own, 10)) !== null) continue;
    const others = edges.filter(
      (x) => x.caller === e.caller && x.callee && traced.has(x.callee) && x.wire.length >= 20,
    );
    if (others.length > 0 && others.every((x) => medianShift(wireSides.get(x) ?? null) !== null)) continue;
    const weight = shiftWeight(shift.before, shift.after);
    if (weight < 0.05) continue;
    ev.symptoms.push({
      signal: 'traces',
      workload: e.callee,
      kind: 'latency',
      weight,
      at: shift.at,
      detail: `statements from ${shortId(e.caller)} take ~${ms(shift.after)} (median; before ~${ms(shift.before)}) since ${clock(shift.at)}`,
      peer: e.caller,
    });
  }
}

/** The span the shop's PostgreSQL client opens while it waits for a pooled connection (postgres-client.ts). */
const POOL_CONNECT = 'pg-pool.connect';

/**
 * Where a series of per-call times moved up as a whole: the medians on each side of the best split differ
 * by at least 40 ms and a factor of two (a slow link or server delays every call, while a new connection or
 * a pause in the caller makes a single call slow, which moves a mean, not a median).
 */
function medianShift(sides: Sides | null): { at: number; before: number; after: number } | null {
  if (!sides) return null;
  const before = median(sides.before);
  const after = median(sides.after);
  return after - before >= 40 && (after + 1) / (before + 1) >= 2 ? { at: sides.at, before, after } : null;
}

/** A series of per-call times split where it moved up most (upwardShift): the values on each side. */
interface Sides {
  at: number;
  before: number[];
  after: number[];
}

function splitSides(points: Array<[number, number]>, minSide: number): Sides | null {
  const split = upwardShift(points, minSide);
  if (!split) return null;
  return {
    at: split.at,
    before: points.filter(([t]) => t < split.at).map(([, v]) => v),
    after: points.filter(([t]) => t >= split.at).map(([, v]) => v),
  };
}

/** How much a rise in per-call time (ms) weighs, by its ratio and its size: self time and wire time alike. */
function shiftWeight(before: number, after: number): number {
  return clamp01(Math.log2((after + 1) / (before + 1)) / 3) * clamp01((after - before - 30) / 300);
}

/** A server span's duration minus the time covered by its outbound calls (merged intervals). */
function selfTime(s: SpanLite, kids: SpanLite[]): number {
  const iv = kids
    .filter((k) => k.kind !== 'server')
    .map((k) => [Math.max(k.start, s.start), Math.min(k.end, s.end)] as [number, number])
    .filter(([a, b]) => b > a)
    .sort((a, b) => a[0] - b[0]);
  let covered = 0;
  let curA = -Infinity;
  let curB = -Infinity;
  for (const [a, b] of iv) {
    if (a > curB) {
      if (curB > curA) covered += curB - curA;
      curA = a;
      curB = b;
    } else curB = Math.max(curB, b);
  }
  if (curB > curA) covered += curB - curA;
  return Math.max(0, s.durationMs - covered);
}

/**
 * A caller whose statements wait out its connection pool. Either its own pool is held (connections taken and
 * not given back, too small a pool) or the statements that got a connection are slow at the server (a lock,
 * a slow query) and keep the pool full. The second shows as statements to the same peers taking far longer
 * than before, or failing there; then the pool is a victim and this weighs little.
 */
function poolSymptom(w: EntityId, waits: SpanLite[], edges: Map<string, EdgeStats>, ev: Evidence): void {
  const start = sustainedStart(
    waits.map((s) => s.start),
    3,
    30_000,
  );
  if (start === null) return;
  const after = waits.filter((s) => s.start >= start).length;
  const peers = new Set(waits.map((s) => s.peer));
  const mine = [...edges.values()].filter((e) => e.caller === w && peers.has(e.peer));
  const statements = mine.flatMap((e) => e.calls);
  const before = statements.filter((s) => s.start < start).map((s) => s.durationMs);
  const since = statements.filter((s) => s.start >= start);
  const failedThere = mine.reduce((n, e) => n + e.unanswered.filter((s) => s.start >= start).length, 0);
  const normal = before.length >= 5 ? median(before) : undefined;
  const now = since.length > 0 ? median(since.map((s) => s.durationMs)) : undefined;
  const slowThere = normal !== undefined && now !== undefined && now > Math.max(3 * normal, 100);
  const own = slowThere ? 0.2 : after / (after + failedThere);
  const weight = clamp01(after / 10) * own * 0.8;
  if (weight < 0.05) return;
  ev.symptoms.push({
    signal: 'traces',
    workload: w,
    kind: 'saturation',
    weight,
    at: start,
    detail: `${after} statements gave up waiting for a pooled connection (${POOL_TIMEOUT}) since ${clock(start)}; those that got one took ~${ms(now ?? 0)} (before: ~${ms(normal ?? 0)})${failedThere > 0 ? `, ${failedThere} failed at ${waits[0].peer}` : ''}`,
  });
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const l = m.get(k);
  if (l) l.push(v);
  else m.set(k, [v]);
}

function namespaceOf(id: EntityId): string | undefined {
  const parts = id.split('/');
  return parts.length === 3 ? parts[0] : undefined;
}

const pct = (x: number): string => `${Math.round(x * 100)}%`;
const ms = (x: number): string => (x >= 1000 ? `${(x / 1000).toFixed(2)}s` : `${Math.round(x)}ms`);

/**
 * A queue: a consumer span's parent is the span that published its message. When consumers keep failing
 * in their own code on what one service published (no call of theirs failed underneath: the message itself
 * is what they cannot process), the publisher is the one to look at: a new format, a bad field. Failures
 * with a failed call underneath (a database, a downstream) are the consumer's or that callee's, not this.
 */
function publisherSuspects(
  spans: SpanLite[],
  children: Map<string, SpanLite[]>,
  workloadOf: (s: SpanLite) => EntityId | undefined,
  ev: Evidence,
): void {
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const found = new Map<EntityId, { consumers: Set<EntityId>; times: number[]; sample: SpanLite }>();
  for (const s of spans) {
    if (s.messaging !== 'consumer' || !s.error || !s.parentId) continue;
    if ((children.get(s.spanId) ?? []).some((k) => k.error)) continue;
    const parent = byId.get(s.parentId);
    if (parent?.messaging !== 'producer') continue;
    const publisher = workloadOf(parent);
    const consumer = workloadOf(s);
    if (!publisher || !consumer || publisher === consumer) continue;
    let f = found.get(publisher);
    if (!f) found.set(publisher, (f = { consumers: new Set(), times: [], sample: s }));
    f.consumers.add(consumer);
    f.times.push(s.start);
  }
  for (const [publisher, f] of found) {
    if (f.times.length < 3) continue;
    const at = Math.min(...f.times);
    const consumers = [...f.consumers].sort();
    ev.suspects.push({
      signal: 'traces',
      entity: publisher,
      weight: 0.5 + 0.2 * clamp01(consumers.length - 1) + 0.1 * clamp01(f.times.length / 10),
      at,
      affects: consumers,
      explains: ['crash', 'errors', 'not-ready', 'unavailable'],
      detail: `${f.times.length} messages it published failed in ${consumers.map(shortName).join(', ')}'s own code from ${clock(at)} (e.g. ${f.sample.name} → ${f.sample.errorType ?? 'error'})`,
    });
  }
}

function shortName(id: EntityId): string {
  return id.split('/').pop() ?? id;
}

/**
 * A service's own failures (or refusals) from their first sustained run (3 within 30 s), against the server
 * spans it served since: `min(1, 3 × share) × min(1, n/10)`. Null when there is no sustained run.
 */
function ownRun(
  spans: SpanLite[],
  served: number[],
): { start: number; after: number; total: number; share: number; weight: number } | null {
  const start = sustainedStart(
    spans.map((s) => s.start),
    3,
    30_000,
  );
  if (start === null) return null;
  const after = spans.filter((s) => s.start >= start).length;
  const total = served.filter((t) => t >= start).length || 1;
  const share = after / total;
  return { start, after, total, share, weight: clamp01(share * 3) * clamp01(after / 10) };
}

/**
 * A 4xx answer that is no failure but the business saying no: declined (402), no stock or a full cart (409),
 * not processable (422), too many (429). A 400 says the request was wrong (an empty cart at checkout is the
 * cart that came back empty, whatever emptied it), 404 and 405 a missing endpoint or an unknown product.
 */
const REFUSALS: ReadonlySet<number> = new Set([402, 409, 422, 429]);
const refusal = (s: SpanLite): boolean =>
  !s.error && s.httpStatus !== undefined && REFUSALS.has(s.httpStatus);
/**
 * Refusals that start in a service's own code (no refusal in the calls below them), from their first
 * sustained run: a limit lowered, a rule tightened. Weighed like own errors, and less when they were as
 * frequent before (an empty cart now and then is the shoppers', not an incident).
 */
function refusalSymptom(w: EntityId, refused: SpanLite[], served: number[], ev: Evidence): void {
  const run = ownRun(refused, served);
  if (!run) return;
  const { start, after, total, share } = run;
  const before = refused.length - after;
  const servedBefore = served.length - total;
  const chronic = servedBefore > 0 && before / servedBefore >= share / 2;
  const weight = run.weight * (chronic ? 0.4 : 1);
  if (weight < 0.05) return;
  const sample = refused[refused.length - 1];
  ev.symptoms.push({
    signal: 'traces',
    workload: w,
    kind: 'refuses',
    weight,
    at: start,
    detail: `${after} of ${total} server spans answered ${sample.httpStatus ?? '4xx'} in its own code since ${clock(start)} (${pct(share)}; e.g. ${sample.name})`,
  });
}
