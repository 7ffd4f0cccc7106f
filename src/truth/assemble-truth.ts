import type { GroundTruth } from '../bundle/ground-truth.js';
import type { AlertsFile, EventRecord, SpanRecord, Topology } from '../bundle/records.js';
import { propagationOf } from './propagation.js';
import { withAliases } from '../entities/root-cause-aliases.js';
import type { Scenario } from '../scenario/scenario.js';

export interface TruthInputs {
  scenario: Scenario;
  /** The captured evidence propagation is read from. */
  alerts: AlertsFile;
  events: readonly EventRecord[];
  spans: readonly SpanRecord[];
  /** What the fault session recorded (type, target, params, injected/recovered times). */
  faults: GroundTruth['faults'];
  topology: Topology;
  /** Entities the window's evidence mentions (pods since gone still name their Deployment). */
  seenEntities: Iterable<string>;
  injectedAt: number | undefined;
  manifestedAt: number | undefined;
  firedAlerts: string[];
}

const iso = (ms: number | undefined): string | null => (ms !== undefined ? new Date(ms).toISOString() : null);

/**
 * `truth/ground_truth.json` of one run: the scenario's root causes with aliases from the captured
 * topology (a Deployment is also named by its ReplicaSets, pods and selecting Services), plus the
 * scenario's own aliases, what was injected and when, and which alerts were expected and fired.
 */
export function assembleTruth(t: TruthInputs): GroundTruth {
  const declared = t.scenario.spec.groundTruth.rootCauses;
  const causes = withAliases(
    declared.map((r) => r.id),
    t.topology,
    t.seenEntities,
  ).map((r, i) => ({
    id: r.id,
    aliases: [...new Set([...(declared[i]?.aliases ?? []), ...r.aliases])].sort(),
  }));
  const propagation = propagationOf({
    rootCauses: causes,
    topology: t.topology,
    alerts: t.alerts,
    events: t.events,
    spans: t.spans,
    injectedAt: t.injectedAt,
  });
  return {
    format: 1,
    scenarioId: t.scenario.metadata.id,
    rootCauses: causes.map((c) => ({ ...c, propagation: propagation.get(c.id) ?? [] })),
    faults: t.faults,
    injectedAt: iso(t.injectedAt),
    manifestedAt: iso(t.manifestedAt),
    expectedAlerts: t.scenario.spec.expect.alerts,
    firedAlerts: t.firedAlerts,
  };
}
