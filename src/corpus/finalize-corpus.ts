import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { openBundle } from '../bundle/bundle-reader.js';
import { MANIFEST_FILE, SNAPSHOT_DIR, SnapshotFile, TruthFile } from '../bundle/layout.js';
import { difficultyOf, type Difficulty, type ReferenceAgent } from './difficulty.js';
import { scenarioTags } from './scenario-tags.js';
import type { CheckResult, Manifest } from '../bundle/manifest.js';
import { packBundle } from '../bundle/pack.js';
import type { AlertsFile } from '../bundle/records.js';
import { writeReport } from '../report/write-report.js';
import { errorText } from '../util/error-text.js';
import { writeFileAtomic } from '../util/write-file-atomic.js';
import { TOOL_VERSION } from '../version.js';
import type { CorpusLayout } from './corpus-layout.js';
import {
  sortRows,
  type CommandRun,
  type CorpusIndex,
  type IndexRow,
  type RunTimings,
} from './corpus-index.js';
import { fileSha256 } from './file-sha256.js';
import { recordManifestChecks } from './manifest-checks.js';
import type { MovementOptions } from './metric-movement.js';
import { checkObservable } from './observable-check.js';
import { renderReport } from './render-report.js';
import { outcomeFromRunLog, timingsOf } from './run-timings.js';
import { readIncidentAlerts } from '../compare/incident-alerts.js';
import { stabilityChecks, type StabilityInput } from '../compare/stability.js';

/** What a corpus run (or a merge) knows of one planned run before the corpus checks. */
export interface RunRecord {
  bundleId: string;
  scenarioId: string;
  repeat: number;
  seed: number;
  substrate: string;
  status: 'complete' | 'failed';
  /** From the run itself; when absent, read back from the run log beside the bundle. */
  timings?: RunTimings | null;
  firedAlerts?: string[];
  shard?: string | null;
  error?: string | null;
}

export interface FinalizeOptions {
  layout: CorpusLayout;
  records: readonly RunRecord[];
  stabilityThreshold: number;
  /** The commands that produced the corpus (one per shard after a merge; a resumed run adds one). */
  commands: CommandRun[];
  movement?: MovementOptions;
  now?: () => Date;
  /** One line per bundle as it is checked and packed. */
  onBundle?: (bundleId: string, index: number, total: number) => void;
  /** Measures each task's difficulty with this agent (the reference agent, from the CLI); absent: not measured. */
  referenceAgent?: ReferenceAgent;
}

interface Inspected {
  record: RunRecord;
  manifest: Manifest;
  observable: CheckResult;
  stability: StabilityInput;
  firedAlerts: string[];
  tags: string[];
  difficulty: Difficulty;
}

/**
 * Runs the corpus-level checks over every complete bundle (observable per bundle, stable across the
 * repeats of each scenario), records them in each manifest's `checks` and in the index, packs every
 * bundle into `<out>/packed/`, and writes `<out>/corpus/index.json` and `report.md`.
 */
export async function finalizeCorpus(o: FinalizeOptions): Promise<CorpusIndex> {
  const { layout } = o;
  const inspected: Inspected[] = [];
  const failedRows: IndexRow[] = [];
  const complete = o.records.filter((r) => r.status === 'complete');
  for (const r of o.records.filter((x) => x.status === 'failed'))
    failedRows.push(failedRow(r, r.error ?? 'run failed'));

  for (const r of complete) {
    try {
      const b = await openBundle(layout.bundleDir(r.bundleId));
      try {
        const truth = await b.groundTruth();
        const alerts = b.has(SnapshotFile.alerts)
          ? await b.readJson<AlertsFile>(SnapshotFile.alerts)
          : { active: [], timeline: [] };
        const observable = (await checkObservable(b, o.movement)).check;
        const tags = b.has(TruthFile.scenario) ? scenarioTags(await b.readText(TruthFile.scenario)) : [];
        const answer = o.referenceAgent
          ? await o.referenceAgent(join(layout.bundleDir(r.bundleId), SNAPSHOT_DIR)).catch(() => [])
          : null;
        const difficulty = difficultyOf(truth, alerts, answer);
        // Stability compares what the scenario itself observes (compare/incident-alerts.ts).
        const incidentAlerts = await readIncidentAlerts(b, alerts, truth);
        inspected.push({
          record: r,
          manifest: b.manifest,
          observable,
          firedAlerts: r.firedAlerts ?? truth.firedAlerts,
          tags,
          difficulty,
          stability: {
            bundleId: r.bundleId,
            scenarioId: b.manifest.scenarioId,
            substrate: b.manifest.substrate,
            repeat: b.manifest.repeat,
            firingAlerts: incidentAlerts.keys,
            borderline: incidentAlerts.borderline,
            rootCauseIds: truth.rootCauses.map((x) => x.id),
          },
        });
      } finally {
        await b.close();
      }
    } catch (err) {
      failedRows.push(failedRow(r, `bundle unreadable: ${errorText(err)}`));
    }
  }

  const stable = stabilityChecks(
    inspected.map((i) => i.stability),
    o.stabilityThreshold,
  );
  await mkdir(layout.packedDir, { recursive: true });
  const rows: IndexRow[] = [...failedRows];
  for (const [n, i] of inspected.entries()) {
    const id = i.record.bundleId;
    o.onBundle?.(id, n, inspected.length);
    const dir = layout.bundleDir(id);
    const stableCheck = stable.get(id) ?? { ok: true, detail: 'not assessed' };
    await recordManifestChecks(dir, { observable: i.observable, stable: stableCheck });
    const checks: Record<string, CheckResult> = {
      ...i.manifest.checks,
      observable: i.observable,
      stable: stableCheck,
    };
    const failedChecks = Object.entries(checks)
      .filter(([, c]) => !c.ok)
      .map(([name]) => name)
      .sort();
    const packed = await packBundle(dir, layout.packedFile(id));
    // A report that cannot be drawn must not cost the corpus its index.
    const report = await writeReport(dir, { withTruth: true, out: layout.reportHtml(id) }).then(
      () => layout.relReportHtml(id),
      () => null,
    );
    const manifestBytes = (await stat(join(dir, MANIFEST_FILE))).size;
    let timings: RunTimings | null = i.record.timings ?? null;
    if (timings === null) {
      const logged = await outcomeFromRunLog(layout.logFile(id));
      timings = logged ? timingsOf(logged) : null;
    }
    const t = i.manifest.times;
    rows.push({
      bundleId: id,
      scenarioId: i.manifest.scenarioId,
      repeat: i.manifest.repeat,
      seed: i.manifest.seed,
      substrate: i.manifest.substrate,
      status: 'complete',
      valid: failedChecks.length === 0,
      checks,
      failedChecks,
      timeToManifestMs:
        t.injectedAt && t.manifestedAt ? Date.parse(t.manifestedAt) - Date.parse(t.injectedAt) : null,
      firedAlerts: i.firedAlerts,
      timings,
      bundle: {
        path: layout.relBundle(id),
        bytes: manifestBytes + i.manifest.files.reduce((a, f) => a + f.bytes, 0),
        // packed after the checks were recorded: the digest of the manifest as it now stands
        rootSha256: packed.rootSha256,
      },
      packed: { path: layout.relPacked(id), bytes: packed.bytes, sha256: await fileSha256(packed.file) },
      report,
      shard: i.record.shard ?? null,
      error: i.record.error ?? null,
      tags: i.tags,
      difficulty: i.difficulty,
    });
  }

  const index: CorpusIndex = {
    format: 1,
    toolVersion: TOOL_VERSION,
    generatedAt: (o.now?.() ?? new Date()).toISOString(),
    stabilityThreshold: o.stabilityThreshold,
    commandWallMs: o.commands.map((c) => c.wallMs),
    commands: o.commands,
    rows: sortRows(rows),
  };
  await mkdir(layout.corpusDir, { recursive: true });
  writeFileAtomic(layout.indexFile, `${JSON.stringify(index, null, 2)}\n`);
  writeFileAtomic(layout.reportFile, renderReport(index));
  return index;
}

function failedRow(r: RunRecord, error: string): IndexRow {
  return {
    bundleId: r.bundleId,
    scenarioId: r.scenarioId,
    repeat: r.repeat,
    seed: r.seed,
    substrate: r.substrate,
    status: 'failed',
    valid: false,
    checks: {},
    failedChecks: ['run'],
    timeToManifestMs: null,
    firedAlerts: r.firedAlerts ?? [],
    timings: r.timings ?? null,
    tags: [],
    difficulty: null,
    bundle: null,
    packed: null,
    shard: r.shard ?? null,
    error,
  };
}
