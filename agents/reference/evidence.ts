import type { EntityId } from '../../src/entities/index.js';

/** The signal modules; each evidence item names the one that produced it. */
export type SignalName = 'alerts' | 'events' | 'changes' | 'misconfig' | 'traces' | 'logs' | 'metrics';

/**
 * How a workload is unwell. The ranker treats kinds differently: some travel up the call graph
 * (a caller of a failing service fails too), others stay where they start (a crash, an OOM kill).
 */
export type SymptomKind =
  /** serves failures that start in its own code (not passed on from a dependency) */
  | 'errors'
  /** its own processing time grew (self time, not time spent waiting for dependencies) */
  | 'latency'
  /** CPU at its limit or throttled */
  | 'saturation'
  /** memory growing towards its limit */
  | 'memory'
  /** restarts, crash loops, fatal exits, liveness kills */
  | 'crash'
  | 'oom'
  /** pods failing readiness */
  | 'not-ready'
  /** pods not scheduled, stuck initialising, or not created */
  | 'pending'
  | 'image'
  /** fewer replicas serving than desired: scaled down, deleted, refused */
  | 'unavailable'
  /** its callers cannot connect to it (refused, timed out, no such host) */
  | 'unreachable'
  /** its own outbound calls go to the wrong place (the caller is misconfigured) */
  | 'misrouted'
  /** its credentials are rejected by a dependency */
  | 'auth'
  /** it rejects its callers' credentials */
  | 'auth-rejects'
  /** it failed to start or run because of its configuration (EINVALIDCONFIG, bad env value) */
  | 'config'
  /**
   * it turns requests away with a 4xx that starts in its own code (a limit, a validation): nothing fails,
   * and its callers pass the refusal on
   */
  | 'refuses';

/** Kinds a callee's failure can cause in its callers; the ranker discounts them when a callee explains them. */
export const PROPAGATING: ReadonlySet<SymptomKind> = new Set<SymptomKind>([
  'errors',
  'latency',
  'not-ready',
  'unreachable',
  'auth',
  'refuses',
]);

/** Something observed going wrong at a workload. */
export interface Symptom {
  signal: SignalName;
  /** The workload (Deployment...) where it shows. */
  workload: EntityId;
  kind: SymptomKind;
  /** Strength of this observation, 0..1. */
  weight: number;
  /** First seen (ms), when known. */
  at: number | null;
  detail: string;
  /** Seen, then over before the capture (an alert that resolved): it does not date the trouble. */
  over?: boolean;
  /** When an `over` observation ended, when known. */
  until?: number;
  /** For call failures: the other side of the call. */
  peer?: EntityId;
  /**
   * For `misrouted`: the caller's own setting is shown wrong (it gives up before the callee could answer, or
   * dials an address that is not the callee's), not merely suspected because other callers fare better.
   */
  definite?: boolean;
}

/** An entity that may be the root cause: a change in the window or an inconsistency between objects. */
export interface Suspect {
  signal: SignalName;
  /** The object to fix: a Deployment, Service, ConfigMap, Secret, NetworkPolicy, Node... */
  entity: EntityId;
  /** Prior that a change or state of this kind breaks things, 0..1, before looking at symptoms. */
  weight: number;
  /** When it changed (ms); null for a state whose start is unknown. */
  at: number | null;
  /** Workloads whose symptoms it would explain. */
  affects: EntityId[];
  /** The symptom kinds it would cause there; empty means any. */
  explains: SymptomKind[];
  detail: string;
  /**
   * A state that by itself shows the entity is broken (a Service that selects nothing, a quota that
   * refuses pods): ranked on its own strength even when the symptoms it causes are hard to observe.
   */
  standalone?: boolean;
}

export interface Evidence {
  symptoms: Symptom[];
  suspects: Suspect[];
  /** Call edges observed (caller workload → callee workload), for the propagation rule. */
  calls: Array<{ from: EntityId; to: EntityId }>;
  notes: string[];
}

/** Records one suspect; the object-reading signals (changes, misconfig) pass it to their checks. */
export type AddSuspect = (
  entity: EntityId,
  weight: number,
  affects: EntityId[],
  explains: SymptomKind[],
  detail: string,
  standalone?: boolean,
) => void;

/**
 * An AddSuspect for `signal`'s suspects dated `at` (null: a state whose start is unknown). `standalone`
 * is set only when true, so an ordinary suspect has no such key.
 */
export function suspectAdder(ev: Evidence, signal: SignalName, at: number | null): AddSuspect {
  return (entity, weight, affects, explains, detail, standalone = false) => {
    ev.suspects.push({
      signal,
      entity,
      weight,
      at,
      affects,
      explains,
      detail,
      ...(standalone ? { standalone } : {}),
    });
  };
}

export function emptyEvidence(): Evidence {
  return { symptoms: [], suspects: [], calls: [], notes: [] };
}

export function mergeEvidence(parts: Evidence[]): Evidence {
  const out = emptyEvidence();
  for (const p of parts) {
    out.symptoms.push(...p.symptoms);
    out.suspects.push(...p.suspects);
    out.calls.push(...p.calls);
    out.notes.push(...p.notes);
  }
  return out;
}

export const clamp01 = (x: number): number => (x < 0 ? 0 : x > 1 ? 1 : Number.isFinite(x) ? x : 0);
