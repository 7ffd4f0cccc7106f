import type { EntityId } from '../../src/entities/index.js';
import { tryParseEntityId } from '../../src/entities/index.js';
import { shortId } from './edge-blame.js';
import type { EntityIndex } from './entity-index.js';
import {
  clamp01,
  PROPAGATING,
  type Evidence,
  type SignalName,
  type Suspect,
  type Symptom,
  type SymptomKind,
} from './evidence.js';

/** How much each kind of symptom says "something is wrong right here". */
export const KIND_WEIGHT: Record<SymptomKind, number> = {
  errors: 1,
  latency: 0.9,
  saturation: 0.8,
  memory: 0.9,
  crash: 1,
  oom: 1,
  'not-ready': 0.6,
  pending: 0.9,
  image: 1,
  unavailable: 0.8,
  unreachable: 0.7,
  misrouted: 1,
  auth: 0.5,
  'auth-rejects': 0.9,
  config: 1,
  refuses: 0.9,
};

/** Symptom kinds that say the workload's pods are not serving, each from another angle. */
const AVAILABILITY: ReadonlySet<SymptomKind> = new Set(['pending', 'not-ready', 'unavailable']);

export interface Reason {
  signal: SignalName | 'rank';
  text: string;
  weight: number;
}

export interface Candidate {
  entity: EntityId;
  score: number;
  /** Evidence for it, strongest first. */
  reasons: Reason[];
  /** Why its score was lowered (explained by a callee or by another suspect). */
  discounts: string[];
}

export interface Ranking {
  candidates: Candidate[];
  /** First strong symptom anywhere (ms), from the data rather than the window. */
  onset: number | null;
}

export interface RankOptions {
  /** Keep at most this many entities. */
  maxEntities: number;
  /** Keep entities scoring at least this share of the best one. */
  minShare: number;
}

/** How much of a workload's own score another entity's explaining suspect can take away. */
const EXPLAINED_AWAY = 0.75;

export const DEFAULT_RANK: RankOptions = { maxEntities: 4, minShare: 0.1 };

/** A candidate while it is being scored. */
interface Working extends Candidate {
  /** Its own trouble as a workload, relative to the most troubled one. */
  own: number;
  /** Its suspects combined. */
  suspect: number;
  /** Suspects of other entities that explain its trouble. */
  explainedBy: Array<{ by: EntityId; score: number; text: string }>;
}

interface WorkloadHealth {
  id: EntityId;
  byKind: Map<SymptomKind, number>;
  onsetByKind: Map<SymptomKind, number>;
  symptoms: Symptom[];
  raw: number;
  propagated: number;
  /** raw, after discounting what a failing callee explains */
  origin: number;
  discount: string | null;
}

/**
 * Turns symptoms and suspects into a ranked answer.
 *
 * 1. Per workload and symptom kind, signals are combined by noisy-or of each signal's strongest
 *    observation, so one signal repeating itself does not add up but independent signals agreeing do.
 * 2. Symptoms that travel up the call graph (errors, latency, readiness, unreachability, refusals) are discounted
 *    at a workload when something it calls, directly or further down, is itself unwell: the cause is
 *    the most downstream unhealthy workload whose own callees are healthy.
 * 3. Each suspect (a change or an inconsistency) scores its prior weight times how much of the observed
 *    trouble it would explain (the symptoms of the kinds it causes, at the workloads it affects), times
 *    how well its time fits (a change after the symptoms began explains little).
 * 4. A workload whose trouble another entity's suspect explains (its ConfigMap, its Service, a policy,
 *    a node) is discounted by that, since the object to fix is the other one; a strong explanation ranks
 *    that object above the workload.
 * Before all this, a callee is cleared of the failures of an edge whose caller is shown at fault
 * (callerExplained), and in step 2 a callee whose trouble began well after the caller's clear trouble, or
 * whose trouble its callers could not see, passes nothing on, and a caller at fault on an edge of its own
 * keeps at least half of what it passes on.
 */
export function rank(ev: Evidence, index: EntityIndex, opts: RankOptions = DEFAULT_RANK): Ranking {
  const health = workloadHealth(callerExplained(ev.symptoms));
  propagate(health, ev, index);
  const maxOrigin = Math.max(0.5, ...[...health.values()].map((h) => h.origin));
  let onset: number | null = null;
  for (const h of health.values()) {
    if (h.origin < 0.3 * maxOrigin) continue;
    for (const t of h.onsetByKind.values()) onset = onset === null ? t : Math.min(onset, t);
  }

  lateDeletionBlips(health, onset);

  const cands = new Map<EntityId, Working>();
  const cand = (id: EntityId): Working => {
    let c = cands.get(id);
    if (!c)
      cands.set(
        id,
        (c = { entity: id, score: 0, reasons: [], discounts: [], own: 0, suspect: 0, explainedBy: [] }),
      );
    return c;
  };

  for (const h of health.values()) {
    if (h.origin <= 0.02) continue;
    const c = cand(h.id);
    c.own = h.origin / maxOrigin;
    const top = [...h.symptoms].sort(
      (a, b) => b.weight * KIND_WEIGHT[b.kind] - a.weight * KIND_WEIGHT[a.kind],
    );
    const seen = new Set<string>();
    for (const s of top) {
      const key = `${s.signal}|${s.kind}`;
      if (seen.has(key)) continue;
      seen.add(key);
      c.reasons.push({
        signal: s.signal,
        text: `[${s.kind}] ${s.detail}`,
        weight: s.weight * KIND_WEIGHT[s.kind],
      });
    }
    if (h.discount) c.discounts.push(h.discount);
  }

  // Suspects: merged per (entity, signal), so repeated observations of one signal count once, then
  // combined across signals by noisy-or.
  const merged = new Map<string, Suspect>();
  for (const s of ev.suspects) {
    const key = `${s.entity}|${s.signal}`;
    const cur = merged.get(key);
    if (!cur) {
      merged.set(key, { ...s, affects: [...s.affects], explains: [...s.explains] });
      continue;
    }
    if (s.weight > cur.weight) {
      cur.weight = s.weight;
      cur.detail = s.detail;
    }
    cur.affects = [...new Set([...cur.affects, ...s.affects])];
    cur.explains = [...new Set([...cur.explains, ...s.explains])];
    cur.at = cur.at === null ? s.at : s.at === null ? cur.at : Math.min(cur.at, s.at);
    cur.standalone = cur.standalone || s.standalone;
  }
  const bySuspect = new Map<EntityId, Array<{ s: Suspect; score: number; links: Map<EntityId, number> }>>();
  for (const s of merged.values()) {
    const scored = { s, ...suspectScore(s, health, maxOrigin) };
    const list = bySuspect.get(s.entity) ?? [];
    list.push(scored);
    bySuspect.set(s.entity, list);
  }
  for (const [entity, list] of bySuspect) {
    const c = cand(entity);
    c.suspect = 1 - list.reduce((p, v) => p * (1 - v.score), 1);
    for (const v of list.sort((a, b) => b.score - a.score)) {
      const linked = [...v.links.keys()].filter((w) => w !== entity);
      c.reasons.push({
        signal: v.s.signal,
        text: `[suspect] ${v.s.detail}${linked.length > 0 ? ` — explains trouble at ${linked.map(shortId).join(', ')}` : ''}`,
        weight: v.score,
      });
    }
    // What this suspect explains at other workloads lowers their own claim to be the cause.
    for (const v of list) {
      const maxLink = Math.max(0, ...v.links.values());
      for (const [w, link] of v.links) {
        if (w === entity || link < 0.4 * maxLink) continue;
        cand(w).explainedBy.push({ by: entity, score: v.score * (link / maxLink), text: v.s.detail });
      }
    }
  }

  for (const c of cands.values()) {
    let own = c.own;
    const top = strongestExplanation(c);
    if (own > 0 && top) {
      const { by, share } = top;
      own *= 1 - EXPLAINED_AWAY * clamp01(share);
      c.discounts.push(`its trouble is explained by ${shortId(by)} (${share.toFixed(2)})`);
    }
    c.score = 1 - (1 - clamp01(own)) * (1 - clamp01(c.suspect));
    c.reasons.sort((a, b) => b.weight - a.weight);
  }

  // The object whose change explains most of a workload's trouble is the one to fix: it ranks above the
  // workload, however loud the workload itself is.
  for (const c of cands.values()) {
    const top = strongestExplanation(c);
    if (!top || top.share < FIX_THE_OTHER) continue;
    const by = cands.get(top.by);
    if (by && by.score > 0.05 && c.score >= by.score) {
      c.score = by.score * 0.99;
      c.discounts.push(`ranked below ${shortId(top.by)}, whose change explains its trouble`);
    }
  }

  const sorted = [...cands.values()]
    .filter((c) => c.score > 0.01 && tryParseEntityId(c.entity).ok)
    .sort((a, b) => b.score - a.score || a.entity.localeCompare(b.entity));
  const top = sorted[0]?.score ?? 0;
  const kept = sorted.filter((c, i) => i === 0 || c.score >= opts.minShare * top).slice(0, opts.maxEntities);
  return {
    candidates: kept.map(({ entity, score, reasons, discounts }) => ({ entity, score, reasons, discounts })),
    onset,
  };
}

/** Below this a definite misrouted observation is too weak to clear its callee. */
const MISROUTED_CLEARS = 0.3;
/** A definite, strong enough sign that the caller's own setting breaks its calls to `peer`. */
function showsCallerAtFault(s: Symptom): boolean {
  return s.kind === 'misrouted' && s.definite === true && !!s.peer && s.weight >= MISROUTED_CLEARS;
}

/** What is left of a callee's unreachability on an edge whose caller is at fault. */
const CLEARED_EDGE = 0.15;

/**
 * A caller that is itself at fault on an edge (it gives up too soon, dials the wrong address) explains the
 * failures of its calls over that edge: they say nothing about the callee, whichever signal reported them
 * (alerts on the caller's dependency errors, client metrics, logs). Other callers' failures still count.
 */
export function callerExplained(symptoms: readonly Symptom[]): Symptom[] {
  const atFault = new Set<string>();
  for (const s of symptoms) if (showsCallerAtFault(s)) atFault.add(`${s.workload} ${s.peer}`);
  return symptoms.map((s) =>
    s.kind === 'unreachable' && s.peer && atFault.has(`${s.peer} ${s.workload}`)
      ? { ...s, weight: s.weight * CLEARED_EDGE, detail: `${s.detail} (the caller is at fault on this edge)` }
      : s,
  );
}

/** An explanation this strong (see strongestExplanation) puts the explaining entity above the workload. */
const FIX_THE_OTHER = 0.4;

/** The other entity whose suspects explain this candidate's trouble best: each entity's suspects combined. */
function strongestExplanation(c: Working): { by: EntityId; share: number } | null {
  if (c.explainedBy.length === 0) return null;
  const perEntity = new Map<EntityId, number>();
  for (const e of c.explainedBy) perEntity.set(e.by, 1 - (1 - (perEntity.get(e.by) ?? 0)) * (1 - e.score));
  const [by, share] = [...perEntity.entries()].sort((a, b) => b[1] - a[1])[0];
  return { by, share };
}

function workloadHealth(symptoms: Symptom[]): Map<EntityId, WorkloadHealth> {
  const out = new Map<EntityId, WorkloadHealth>();
  const perSignal = new Map<string, number>();
  for (const s of symptoms) {
    let h = out.get(s.workload);
    if (!h) {
      h = {
        id: s.workload,
        byKind: new Map(),
        onsetByKind: new Map(),
        symptoms: [],
        raw: 0,
        propagated: 0,
        origin: 0,
        discount: null,
      };
      out.set(s.workload, h);
    }
    h.symptoms.push(s);
    const key = `${s.workload}|${s.kind}|${s.signal}`;
    perSignal.set(key, Math.max(perSignal.get(key) ?? 0, clamp01(s.weight)));
    if (s.at !== null && s.weight >= 0.2 && !s.over) {
      const cur = h.onsetByKind.get(s.kind);
      h.onsetByKind.set(s.kind, cur === undefined ? s.at : Math.min(cur, s.at));
    }
  }
  for (const [key, w] of perSignal) {
    const [id, kind] = key.split('|') as [EntityId, SymptomKind];
    const h = out.get(id);
    if (!h) continue;
    h.byKind.set(kind, 1 - (1 - (h.byKind.get(kind) ?? 0)) * (1 - w));
  }
  for (const h of out.values()) {
    // Pods that are pending, not ready or gone are one observation seen three ways (a pod replaced shows
    // all three for a few seconds): the strongest counts, they do not add up.
    let availability = 0;
    let availabilityPropagated = 0;
    for (const [k, v] of h.byKind) {
      if (AVAILABILITY.has(k)) {
        availability = Math.max(availability, KIND_WEIGHT[k] * v);
        if (PROPAGATING.has(k)) availabilityPropagated = Math.max(availabilityPropagated, KIND_WEIGHT[k] * v);
        continue;
      }
      h.raw += KIND_WEIGHT[k] * v;
      if (PROPAGATING.has(k)) h.propagated += KIND_WEIGHT[k] * v;
    }
    h.raw += availability;
    h.propagated += availabilityPropagated;
    h.origin = h.raw;
  }
  return out;
}

/** Trouble that begins this long after the incident's did is late: something else happening meanwhile. */
const LATE_MS = 30_000;
/** How close a deletion of its pod is to a workload's first trouble for the one to explain the other. */
const DELETION_NEAR_MS = 10_000;
/** What a late deletion blip keeps of its trouble (as a healed blip does in edge-blame.ts). */
const LATE_BLIP_FACTOR = 0.35;

/**
 * A workload whose trouble began late (LATE_MS after the onset) and at once with a deletion of one of its
 * pods from outside its ReplicaSet (an eviction, a drain) refused calls while the replacement started:
 * routine, and after the incident had begun, so not its cause. Its trouble is cut to LATE_BLIP_FACTOR
 * and said so. A workload whose pod deletions start the trouble (pods killed as the fault) is untouched:
 * its first deletion is the onset.
 */
function lateDeletionBlips(health: Map<EntityId, WorkloadHealth>, onset: number | null): void {
  if (onset === null) return;
  for (const h of health.values()) {
    const first = firstTrouble(h);
    if (first === null || first - onset < LATE_MS) continue;
    const deletion = h.symptoms.find(
      (s) =>
        s.signal === 'events' &&
        s.kind === 'unavailable' &&
        s.at !== null &&
        /deleted from outside/.test(s.detail) &&
        Math.abs(first - s.at) <= DELETION_NEAR_MS,
    );
    if (!deletion) continue;
    h.origin *= LATE_BLIP_FACTOR;
    const note = `its trouble began with a deletion of its pod ${Math.round((first - onset) / 1000)} s after the trouble started: a replacement starting (−${Math.round((1 - LATE_BLIP_FACTOR) * 100)}%)`;
    h.discount = h.discount ? `${h.discount}; ${note}` : note;
  }
}

/** Onsets are estimates: metric-based ones lag by up to two 15 s scrapes, so a callee may start this much later. */
const LATER_CALLEE_MS = 30_000;

/** When a workload's trouble (of these kinds, else any) was first seen strongly, if known. */
function firstTrouble(h: WorkloadHealth, kinds?: ReadonlySet<SymptomKind>): number | null {
  let t: number | null = null;
  for (const [k, at] of h.onsetByKind) if (!kinds || kinds.has(k)) t = t === null ? at : Math.min(t, at);
  return t;
}

/** Caller-visible trouble (kind-weighted, about one weak-to-moderate symptom) that makes a callee count. */
const VISIBLE_MIN = 0.15;

/**
 * How strongly a callee's trouble can reach its callers. Once they could see some of it (its calls failing,
 * slow or refused, its pods unready, its callers' credentials rejected), all of it counts; trouble they
 * could not see (a pod replaced beside healthy siblings, memory growing) does not reach them, so a callee
 * that answered its callers fine explains none of their trouble.
 */
function visibleStrength(h: WorkloadHealth): number {
  return h.propagated >= VISIBLE_MIN ? h.raw : 0;
}

/** The most a callee takes of the passed-on trouble of a caller that is at fault on an edge of its own. */
const AT_FAULT_MAX_CUT = 0.5;

/**
 * About a fired warning alert or a sustained run of failures; a latency alert that only went pending
 * (0.27 at most) stays below, a critical error-rate alert pending (0.3) does not.
 */
const CLEAR_WEIGHT = 0.3;

/**
 * When a workload's passed-on trouble was first seen clearly: its first propagating symptom of CLEAR_WEIGHT
 * or more, else (none that strong) its first as before. A faint early sign (a latency alert pending a
 * minute before, under background load) does not date it, or a callee that failed since would look too
 * late to explain anything.
 */
function firstClearTrouble(h: WorkloadHealth): number | null {
  let t: number | null = null;
  for (const s of h.symptoms)
    if (PROPAGATING.has(s.kind) && s.at !== null && !s.over && s.weight >= CLEAR_WEIGHT)
      t = t === null ? s.at : Math.min(t, s.at);
  return t ?? firstTrouble(h, PROPAGATING);
}

/**
 * The share of a workload's passed-on trouble whose kinds were first seen at or after `from`: an early
 * sign of one kind (a latency alert under background load a minute before) keeps a callee that failed
 * since from explaining that kind, not the errors and unready pods that came with the callee's failure.
 */
function troubleSince(h: WorkloadHealth, from: number): number {
  let all = 0;
  let since = 0;
  for (const [k, v] of h.byKind) {
    if (!PROPAGATING.has(k)) continue;
    const w = KIND_WEIGHT[k] * v;
    all += w;
    const at = h.onsetByKind.get(k);
    if (at !== undefined && at >= from) since += w;
  }
  return all > 0 ? since / all : 0;
}

/** A visible symptom below this weight (a flapping alert, a faint trace) does not keep trouble going. */
const VISIBLE_SYMPTOM = 0.1;

/**
 * True when everything of the workload's trouble its callers could see was over (alerts that fired and
 * resolved) before `t`: an earlier episode, which a caller's trouble that began later did not inherit.
 */
function overBefore(h: WorkloadHealth, t: number): boolean {
  const visible = h.symptoms.filter((s) => PROPAGATING.has(s.kind) && s.weight >= VISIBLE_SYMPTOM);
  return visible.length > 0 && visible.every((s) => s.over === true && s.until !== undefined && s.until < t);
}

/** Callee trouble below this explains nothing; at or above VISIBLE_MIN, since that is all a callee may count. */
const MIN_CALLEE_TROUBLE = 0.15;

/** Discounts symptoms a workload may only be passing on from something it calls. */
function propagate(health: Map<EntityId, WorkloadHealth>, ev: Evidence, index: EntityIndex): void {
  const callees = new Map<EntityId, Set<EntityId>>();
  const addCall = (from: EntityId, to: EntityId): void => {
    if (from === to) return;
    const set = callees.get(from) ?? new Set<EntityId>();
    set.add(to);
    callees.set(from, set);
  };
  for (const c of ev.calls) addCall(c.from, c.to);
  for (const e of index.snapshotCalls()) addCall(e.from, e.to);
  for (const h of health.values()) {
    if (h.propagated <= 0) continue;
    // Everything downstream, a few hops deep, with the strongest trouble among them. A callee the caller is
    // itself at fault towards (it gives up too soon, dials the wrong place) passes nothing on to it.
    const atFault = new Set(h.symptoms.filter(showsCallerAtFault).map((s) => s.peer));
    const seen = new Set<EntityId>();
    let frontier = [...(callees.get(h.id) ?? [])].filter((d) => !atFault.has(d));
    let worst: WorkloadHealth | undefined;
    let worstStrength = 0;
    // Trouble that began well after this workload's cannot be what it passes on.
    const since = firstClearTrouble(h);
    const began = (dh: WorkloadHealth): boolean => {
      const t = firstTrouble(dh);
      return since === null || t === null || t <= since + LATER_CALLEE_MS;
    };
    // Trouble that was over before this workload's began cannot be what it passes on either.
    const ongoing = (dh: WorkloadHealth): boolean => since === null || !overBefore(dh, since);
    // A callee that began later can still explain what of this workload's trouble began with or after it.
    let late: WorkloadHealth | undefined;
    let lateStrength = 0;
    for (let depth = 0; depth < 4 && frontier.length > 0; depth++) {
      const next: EntityId[] = [];
      for (const d of frontier) {
        if (seen.has(d) || d === h.id) continue;
        seen.add(d);
        const dh = health.get(d);
        const strength = dh ? visibleStrength(dh) : 0;
        if (!dh || !ongoing(dh)) {
          // passes nothing on; what it calls may still be in trouble
        } else if (began(dh) && (!worst || strength > worstStrength)) {
          worst = dh;
          worstStrength = strength;
        } else if (!began(dh) && strength > lateStrength) {
          late = dh;
          lateStrength = strength;
        }
        next.push(...(callees.get(d) ?? []));
      }
      frontier = next;
    }
    let share = 1;
    if ((!worst || worstStrength < MIN_CALLEE_TROUBLE) && late) {
      share = troubleSince(h, (firstTrouble(late) ?? 0) - LATER_CALLEE_MS);
      worst = late;
      worstStrength = lateStrength;
    }
    if (!worst || worstStrength < MIN_CALLEE_TROUBLE || share <= 0) continue;
    // A callee in clear trouble (0.6 is about one solid symptom) explains most of what its callers pass on.
    let cut = 0.85 * clamp01(worstStrength / 0.6) * share;
    // A caller shown at fault on an edge of its own is a cause itself: a callee in trouble meanwhile may add
    // to what it shows but cannot take it all away (its pods unready because the address it dials is wrong
    // are not a background blip below it).
    if (atFault.size > 0) cut = Math.min(cut, AT_FAULT_MAX_CUT);
    h.origin = h.raw - h.propagated * cut;
    h.discount = `errors/latency/readiness here may be passed on from ${shortId(worst.id)}, which it calls (−${Math.round(cut * 100)}% of them)`;
  }
  // Later passes read `origin` of callees, which is what the explanation of a chain needs; one pass is enough
  // because `raw` of a callee already includes its own passed-on trouble.
}

/** A suspect's score: prior × share of the observed trouble it explains × fit of its timing. */
function suspectScore(
  s: Suspect,
  health: Map<EntityId, WorkloadHealth>,
  maxOrigin: number,
): { score: number; links: Map<EntityId, number> } {
  const targets = s.affects.length > 0 ? s.affects : [...health.keys()];
  const anyTarget = s.affects.length === 0;
  const links = new Map<EntityId, number>();
  let link = 0;
  let onset: number | null = null;
  for (const t of targets) {
    const h = health.get(t);
    if (!h) continue;
    let sum = 0;
    let first: number | null = null;
    const scale = h.raw > 0 ? h.origin / h.raw : 1;
    for (const k of s.explains) {
      const v = h.byKind.get(k);
      if (!v) continue;
      sum += KIND_WEIGHT[k] * v * (PROPAGATING.has(k) ? scale : 1);
      const at = h.onsetByKind.get(k);
      if (at !== undefined) first = first === null ? at : Math.min(first, at);
    }
    if (sum <= 0.02) continue;
    links.set(t, sum);
    if (sum > link) {
      link = sum;
      onset = first;
    }
  }
  const linkNorm = clamp01(link / maxOrigin) * (anyTarget ? 0.8 : 1);
  const base = s.standalone ? Math.max(0.55, 0.1 + 0.9 * linkNorm) : 0.1 + 0.9 * linkNorm;
  return { score: clamp01(s.weight * base * timeFit(s.at, onset)), links };
}

/** A change long before the trouble fits less; one clearly after it began cannot have caused it. */
export function timeFit(changeAt: number | null, onset: number | null): number {
  if (changeAt === null || onset === null) return 0.9;
  const lead = onset - changeAt;
  // Timestamps have second resolution and onsets are estimates: a few seconds "after" still fits.
  if (lead < -20_000) return 0.3;
  if (lead < -5000) return 1 - (0.7 * (-lead - 5000)) / 15_000;
  if (lead <= 10 * 60_000) return 1;
  return Math.max(0.6, 1 - ((lead - 10 * 60_000) / (50 * 60_000)) * 0.4);
}
