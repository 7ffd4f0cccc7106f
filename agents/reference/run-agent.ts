import { EntityIndex } from './entity-index.js';
import { mergeEvidence } from './evidence.js';
import type { AgentResult } from './agent-result.js';
import { dependencyRestarts } from './deep-liveness.js';
import { healedRestarts } from './healed-restarts.js';
import { podLifecycles } from './pod-lifecycle.js';
import { DEFAULT_RANK, rank, type RankOptions } from './rank.js';
import { readSnapshot, type Snapshot } from './read-snapshot.js';
import { alertSignal } from './signals/alerts.js';
import { changeSignal } from './signals/changes.js';
import { eventSignal } from './signals/events.js';
import { logSignal } from './signals/logs.js';
import { metricSignal } from './signals/metrics.js';
import { misconfigSignal } from './signals/misconfig.js';
import { traceSignal } from './signals/traces.js';

export type { AgentResult, Answer } from './agent-result.js';

/** Reads a snapshot directory and ranks its root-cause entities. */
export async function runAgent(snapshotDir: string, opts: RankOptions = DEFAULT_RANK): Promise<AgentResult> {
  return analyzeSnapshot(await readSnapshot(snapshotDir), opts);
}

/** The analysis on an already-read snapshot (tests build snapshots in memory). */
export function analyzeSnapshot(snap: Snapshot, opts: RankOptions = DEFAULT_RANK): AgentResult {
  const index = new EntityIndex(snap);
  const pods = podLifecycles(snap, index);
  const merged = mergeEvidence([
    alertSignal(snap, index),
    eventSignal(snap, index),
    changeSignal(snap, index),
    misconfigSignal(snap, index),
    traceSignal(snap.spans, index, pods),
    logSignal(snap, index, pods),
    metricSignal(snap, index),
  ]);
  const healed = healedRestarts(merged.symptoms, index, pods, snap.window.end);
  const evidence = { ...merged, symptoms: dependencyRestarts(healed, index, pods) };
  const ranking = rank(evidence, index, opts);
  return {
    answer: { entities: ranking.candidates.map((c) => c.entity) },
    ranking,
    evidence,
    warnings: snap.warnings,
  };
}
