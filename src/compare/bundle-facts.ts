import type { BundleHandle } from '../bundle/bundle-reader.js';
import { SnapshotFile } from '../bundle/layout.js';
import type { BundleTimes } from '../bundle/manifest.js';
import type { AlertsFile, EventRecord, MetricSeries, Topology } from '../bundle/records.js';
import { tryParseEntityId } from '../entities/entity-id.js';
import { workloadOfPod } from '../entities/pod-workload.js';
import { serviceSignals, summarizeSignals, type ServiceSummary } from './service-signals.js';
import { readIncidentAlerts } from './incident-alerts.js';
import type { IncidentFacts } from './stability.js';

/** Everything `bundle diff` compares of one bundle, read once. */
export interface BundleFacts {
  source: string;
  bundleId: string;
  scenarioId: string;
  scenarioHash: string;
  seed: number;
  repeat: number;
  substrate: string;
  toolVersion: string;
  manifested: boolean;
  times: BundleTimes;
  environment: Record<string, unknown>;
  incident: IncidentFacts;
  /** Alerts background activity raised on purpose (truth/background.json), left out of `incident`. */
  backgroundAlerts: string[];
  /** injectedAt → manifestedAt; null when either is missing. */
  timeToManifestMs: number | null;
  /** Per service, from the injection (else the window's start) to the window's end. */
  services: Record<string, ServiceSummary>;
  /** `Type Reason entity` of the events at or after the injection, pods reduced to workloads → count. */
  eventReasons: Record<string, number>;
  topology: { entities: string[]; edges: string[] };
  /** `type target` of each fault of the truth. */
  faults: string[];
}

/** Which run a bundle holds, as `bundle diff` and `reproduce` name each side in their output. */
export type RunIdentity = Pick<
  BundleFacts,
  'source' | 'bundleId' | 'scenarioId' | 'seed' | 'repeat' | 'substrate'
>;

/** The run's identity alone, in the order the JSON output has always listed it. */
export function runIdentity(f: BundleFacts): RunIdentity {
  return {
    source: f.source,
    bundleId: f.bundleId,
    scenarioId: f.scenarioId,
    seed: f.seed,
    repeat: f.repeat,
    substrate: f.substrate,
  };
}

const toSec = (iso: string): number => Date.parse(iso) / 1000;

/**
 * An entity id as runs are compared: pod names are new every run (`cart-7d4b9c6f5d-x2x9k`, `cart-1`), so a
 * Pod becomes `ns/Pod/<workload>-*`, and a ReplicaSet owned by a Deployment `ns/ReplicaSet/<deployment>-*`
 * (its template hash changes with every rollout).
 */
export function comparableEntity(
  id: string,
  replicaSetOwners: ReadonlyMap<string, string> = new Map(),
): string {
  const p = tryParseEntityId(id);
  if (!p.ok) return id;
  const { kind, name, namespace } = p.ref;
  const prefix = namespace ? `${namespace}/${kind}` : kind;
  if (kind === 'Pod') {
    const w = workloadOfPod(name);
    return w === name ? id : `${prefix}/${w}-*`;
  }
  if (kind === 'ReplicaSet') {
    // A ReplicaSet gone before capture is not in the topology: its name still ends in the template hash.
    const owner = replicaSetOwners.get(id) ?? /^(.+)-[a-z0-9]{6,10}$/.exec(name)?.[1];
    return owner ? `${prefix}/${owner}-*` : id;
  }
  return id;
}

/** ReplicaSet id → the name of the Deployment owning it. */
function replicaSetOwners(t: Topology): Map<string, string> {
  const owners = new Map<string, string>();
  for (const e of t.edges) {
    const from = tryParseEntityId(e.from);
    if (e.type === 'owns' && from.ok && from.ref.kind === 'Deployment') owners.set(e.to, from.ref.name);
  }
  return owners;
}

/** The topology with comparable ids, entities and edges (`from -type-> to`) deduplicated and sorted. */
export function comparableTopology(t: Topology): { entities: string[]; edges: string[] } {
  const owners = replicaSetOwners(t);
  const c = (id: string): string => comparableEntity(id, owners);
  return {
    entities: [...new Set(t.entities.map((e) => c(e.id)))].sort(),
    edges: [...new Set(t.edges.map((e) => `${c(e.from)} -${e.type}-> ${c(e.to)}`))].sort(),
  };
}

export async function readBundleFacts(b: BundleHandle): Promise<BundleFacts> {
  const m = b.manifest;
  const truth = await b.groundTruth();
  const alerts = b.has(SnapshotFile.alerts)
    ? await b.readJson<AlertsFile>(SnapshotFile.alerts)
    : { active: [], timeline: [] };
  const { keys: firingAlerts, borderline, backgroundAlerts } = await readIncidentAlerts(b, alerts, truth);
  const injectedAt = m.times.injectedAt ?? truth.injectedAt;
  const manifestedAt = m.times.manifestedAt ?? truth.manifestedAt;
  const from = injectedAt ?? m.times.windowStart;

  const services: Record<string, ServiceSummary> = {};
  if (b.has(SnapshotFile.metrics)) {
    const signals = await serviceSignals(b.readNdjson<MetricSeries>(SnapshotFile.metrics));
    for (const s of signals) {
      const sum = summarizeSignals(s, toSec(from), toSec(m.times.windowEnd));
      if (sum) services[s.service] = sum;
    }
  }

  const rawTopology = b.has(SnapshotFile.topology)
    ? await b.readJson<Topology>(SnapshotFile.topology)
    : { entities: [], edges: [] };
  const topology = comparableTopology(rawTopology);

  const eventReasons: Record<string, number> = {};
  if (b.has(SnapshotFile.events)) {
    const owners = replicaSetOwners(rawTopology);
    for await (const e of b.readNdjson<EventRecord>(SnapshotFile.events)) {
      if (Date.parse(e.lastTimestamp) < Date.parse(from)) continue;
      const key = `${e.type} ${e.reason} ${comparableEntity(e.entity, owners)}`;
      eventReasons[key] = (eventReasons[key] ?? 0) + (e.count || 1);
    }
  }

  return {
    source: b.source,
    bundleId: m.bundleId,
    scenarioId: m.scenarioId,
    scenarioHash: m.scenarioHash,
    seed: m.seed,
    repeat: m.repeat,
    substrate: m.substrate,
    toolVersion: m.toolVersion,
    manifested: m.manifested,
    times: m.times,
    environment: m.environment,
    incident: {
      firingAlerts,
      borderline,
      rootCauseIds: [...new Set(truth.rootCauses.map((r) => r.id))].sort(),
    },
    backgroundAlerts,
    timeToManifestMs: injectedAt && manifestedAt ? Date.parse(manifestedAt) - Date.parse(injectedAt) : null,
    services,
    eventReasons,
    topology,
    faults: truth.faults.map((f) => `${f.type} ${f.target}`).sort(),
  };
}
