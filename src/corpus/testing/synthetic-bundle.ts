import { BundleWriter } from '../../bundle/bundle-writer.js';
import type { GroundTruth } from '../../bundle/ground-truth.js';
import { SnapshotFile, TRUTH_FILE } from '../../bundle/layout.js';
import type { CheckResult } from '../../bundle/manifest.js';
import type {
  AlertsFile,
  EventRecord,
  Labels,
  LogRecord,
  MetricSeries,
  SpanRecord,
  Topology,
} from '../../bundle/records.js';

/**
 * Small bundles with exactly the evidence a test wants, for the corpus checks and the fake run function.
 * Times: a 10-minute window from T0 with the fault injected at T0 + 5 min, metrics every 30 s.
 */

export const T0 = Date.UTC(2025, 0, 1, 10, 0, 0);
export const INJECTED = T0 + 5 * 60_000;
const iso = (ms: number): string => new Date(ms).toISOString();

export interface SyntheticSpec {
  scenarioId: string;
  repeat?: number;
  seed?: number;
  substrate?: string;
  scenarioHash?: string;
  rootCauses: Array<{ id: string; aliases?: string[] }>;
  /** Alerts firing from the injection to capture. */
  firing?: Array<{ alertname: string; labels: Labels }>;
  metrics?: MetricSeries[];
  events?: EventRecord[];
  logs?: LogRecord[];
  spans?: SpanRecord[];
  topology?: Topology;
  checks?: Record<string, CheckResult>;
  manifested?: boolean;
  /** Replace an existing bundle of the same id (the runner's --force). */
  replace?: boolean;
}

/** A gauge at `before` until the injection, then at `after`, with a little deterministic jitter. */
export function stepSeries(name: string, labels: Labels, before: number, after: number): MetricSeries {
  const points: Array<[number, number]> = [];
  for (let i = 0; i <= 20; i++) {
    const t = T0 + i * 30_000;
    const jitter = ((i * 7) % 5) - 2; // -2..2
    points.push([t / 1000, (t < INJECTED ? before : after) + jitter * 0.01 * Math.max(1, Math.abs(before))]);
  }
  return { name, labels, points };
}

export async function writeSyntheticBundle(
  outDir: string,
  bundleId: string,
  spec: SyntheticSpec,
): Promise<string> {
  const firing = spec.firing ?? [];
  const alerts: AlertsFile = {
    active: firing.map((a) => ({
      alertname: a.alertname,
      state: 'firing',
      labels: { alertname: a.alertname, ...a.labels },
      annotations: { summary: `${a.alertname} is firing` },
      activeAt: iso(INJECTED + 30_000),
    })),
    timeline: firing.map((a) => ({
      alertname: a.alertname,
      labels: a.labels,
      state: 'firing',
      start: iso(INJECTED + 60_000),
      end: null,
    })),
  };
  const truth: GroundTruth = {
    format: 1,
    scenarioId: spec.scenarioId,
    rootCauses: spec.rootCauses.map((r) => ({ id: r.id, aliases: r.aliases ?? [] })),
    faults: [],
    injectedAt: iso(INJECTED),
    manifestedAt: spec.manifested === false ? null : iso(INJECTED + 90_000),
    expectedAlerts: firing.map((a) => a.alertname),
    firedAlerts: [...new Set(firing.map((a) => a.alertname))].sort(),
  };
  const w = await BundleWriter.create(outDir, bundleId);
  try {
    await w.writeText(SnapshotFile.task, '# Incident\n\nName the root-cause entities.\n');
    await w.writeJson(SnapshotFile.alerts, alerts);
    await w.writeNdjson(SnapshotFile.events, spec.events ?? []);
    await w.writeNdjson(SnapshotFile.logs, spec.logs ?? []);
    await w.writeNdjson(SnapshotFile.metrics, spec.metrics ?? []);
    await w.writeNdjson(SnapshotFile.traces, spec.spans ?? []);
    await w.writeJson(SnapshotFile.topology, spec.topology ?? { entities: [], edges: [] });
    await w.writeNdjson(SnapshotFile.objects, []);
    await w.writeJson(TRUTH_FILE, truth);
    return await w.commit(
      {
        scenarioId: spec.scenarioId,
        scenarioHash: spec.scenarioHash ?? `hash-${spec.scenarioId}`,
        seed: spec.seed ?? 1,
        repeat: spec.repeat ?? 0,
        substrate: spec.substrate ?? 'local',
        times: {
          windowStart: iso(T0),
          windowEnd: iso(T0 + 600_000),
          injectedAt: truth.injectedAt,
          manifestedAt: truth.manifestedAt,
          capturedAt: iso(T0 + 602_000),
        },
        manifested: spec.manifested !== false,
        environment: { substrate: spec.substrate ?? 'local' },
        checks: spec.checks ?? {
          manifested: { ok: spec.manifested !== false, detail: '' },
          leakFree: { ok: true, detail: '' },
        },
      },
      { replace: spec.replace },
    );
  } finally {
    await w.abort();
  }
}
