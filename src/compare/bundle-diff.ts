import { runIdentity, type BundleFacts, type RunIdentity } from './bundle-facts.js';
import { environmentDrift, type DriftItem } from './environment-drift.js';
import type { ServiceSummary } from './service-signals.js';
import { compareIncidents, DEFAULT_STABILITY_THRESHOLD, type IncidentComparison } from './stability.js';

/**
 * How far apart two runs of one incident may be before `bundle diff` calls a difference out. These mark
 * lines as notable; the verdict is the corpus' stability definition alone (compareIncidents), so a
 * reproduction and the repeats of a corpus are judged alike. docs/reproduce.md lists them.
 */
export const NOTABLE = {
  /** Time to manifest: more apart than this many ms and than `timeToManifestShare` of the first. */
  timeToManifestMs: 30_000,
  timeToManifestShare: 0.5,
  /** Request rate: more than this share apart (of the larger). */
  rateShare: 0.5,
  /** Error ratio: this many points apart (0.05 = 5 percentage points). */
  errorRatioPoints: 0.05,
  /** p95: the larger at least this factor times the smaller and `p95Ms` higher. */
  p95Factor: 2,
  p95Ms: 100,
} as const;

export type Verdict = 'reproduced' | 'differs';

export interface SetDiff {
  /** In B, not in A. */
  added: string[];
  /** In A, not in B. */
  missing: string[];
  common: number;
}

export interface ServiceDiff {
  service: string;
  a: ServiceSummary | null;
  b: ServiceSummary | null;
  /** What moved beyond NOTABLE: `rate`, `errorRatio`, `p95`, `presence`. */
  notable: string[];
}

export interface BundleDiff {
  a: RunIdentity;
  b: RunIdentity;
  verdict: Verdict;
  incident: IncidentComparison & { a: string[]; b: string[] };
  manifested: { a: boolean; b: boolean };
  timeToManifest: { aMs: number | null; bMs: number | null; notable: boolean };
  services: ServiceDiff[];
  events: SetDiff & { counts: Record<string, [number, number]> };
  topology: { entities: SetDiff; edges: SetDiff };
  rootCauses: { a: string[]; b: string[] };
  faults: { a: string[]; b: string[] };
  /** Versions and images that differ between the two runs' environments. */
  environment: DriftItem[];
  /** Background alerts left out of the comparison (union of both). */
  backgroundAlerts: string[];
}

export function setDiff(a: readonly string[], b: readonly string[]): SetDiff {
  const A = new Set(a);
  const B = new Set(b);
  return {
    added: [...B].filter((x) => !A.has(x)).sort(),
    missing: [...A].filter((x) => !B.has(x)).sort(),
    common: [...A].filter((x) => B.has(x)).length,
  };
}

function serviceNotes(a: ServiceSummary | null, b: ServiceSummary | null): string[] {
  if (!a || !b) return a || b ? ['presence'] : [];
  const out: string[] = [];
  const hi = Math.max(a.rate, b.rate);
  if (hi > 0 && Math.abs(a.rate - b.rate) / hi > NOTABLE.rateShare) out.push('rate');
  if (Math.abs((a.errorRatio ?? 0) - (b.errorRatio ?? 0)) >= NOTABLE.errorRatioPoints) out.push('errorRatio');
  if (a.p95Ms !== null && b.p95Ms !== null) {
    const [lo, high] = a.p95Ms < b.p95Ms ? [a.p95Ms, b.p95Ms] : [b.p95Ms, a.p95Ms];
    if (high >= NOTABLE.p95Factor * lo && high - lo >= NOTABLE.p95Ms) out.push('p95');
  } else if ((a.p95Ms === null) !== (b.p95Ms === null)) out.push('p95');
  return out;
}

/** B compared with A (A: the original, B: the new run): the verdict and every difference. */
export function diffBundles(
  a: BundleFacts,
  b: BundleFacts,
  threshold = DEFAULT_STABILITY_THRESHOLD,
): BundleDiff {
  const incident = compareIncidents(a.incident, b.incident, threshold);
  const ttmA = a.timeToManifestMs;
  const ttmB = b.timeToManifestMs;
  const ttmNotable =
    (ttmA === null) !== (ttmB === null) ||
    (ttmA !== null &&
      ttmB !== null &&
      Math.abs(ttmA - ttmB) > Math.max(NOTABLE.timeToManifestMs, NOTABLE.timeToManifestShare * ttmA));
  const services = [...new Set([...Object.keys(a.services), ...Object.keys(b.services)])]
    .sort()
    .map((service) => {
      const sa = a.services[service] ?? null;
      const sb = b.services[service] ?? null;
      return { service, a: sa, b: sb, notable: serviceNotes(sa, sb) };
    });
  const counts: Record<string, [number, number]> = {};
  for (const k of new Set([...Object.keys(a.eventReasons), ...Object.keys(b.eventReasons)]))
    counts[k] = [a.eventReasons[k] ?? 0, b.eventReasons[k] ?? 0];
  return {
    a: runIdentity(a),
    b: runIdentity(b),
    verdict: incident.same ? 'reproduced' : 'differs',
    incident: { ...incident, a: [...a.incident.firingAlerts], b: [...b.incident.firingAlerts] },
    manifested: { a: a.manifested, b: b.manifested },
    timeToManifest: { aMs: ttmA, bMs: ttmB, notable: ttmNotable },
    services,
    events: {
      ...setDiff(Object.keys(a.eventReasons), Object.keys(b.eventReasons)),
      counts: Object.fromEntries(Object.entries(counts).sort(([x], [y]) => x.localeCompare(y))),
    },
    topology: {
      entities: setDiff(a.topology.entities, b.topology.entities),
      edges: setDiff(a.topology.edges, b.topology.edges),
    },
    rootCauses: { a: [...a.incident.rootCauseIds], b: [...b.incident.rootCauseIds] },
    faults: { a: a.faults, b: b.faults },
    environment: environmentDrift(a.environment, b.environment),
    backgroundAlerts: [...new Set([...a.backgroundAlerts, ...b.backgroundAlerts])].sort(),
  };
}
