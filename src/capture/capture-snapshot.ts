import type { BundleWriter } from '../bundle/bundle-writer.js';
import { SnapshotFile } from '../bundle/layout.js';
import type { AlertsFile, EventRecord, SpanRecord, Topology } from '../bundle/records.js';
import type { Logger } from '../logging/logger.js';
import type { CaptureSources, CaptureWindow } from '../platform/capture-sources.js';
import type { CaptureScope } from './capture-scope.js';
import type { CaptureFindings, RunRecordings, Signal } from './signal.js';
import { SIGNALS } from './signals.js';
import { taskText } from './task-text.js';
import { mapStrings } from '../util/map-strings.js';
import type { HistoryShift } from './history-shift.js';

/**
 * Edits signals as the snapshot shows them (after the substrate's stand-ins and the history shift): a
 * drawn past added to them (past-rollouts.ts). Called with every signal's output, in collection order.
 */
export interface SnapshotEditor {
  /** Whether it edits this signal (only those are held in memory to be edited). */
  edits(signal: string): boolean;
  records(signal: string, records: unknown[]): unknown[];
  json(signal: string, json: unknown): unknown;
}

export interface CaptureResult {
  alerts: AlertsFile;
  topology: Topology;
  events: EventRecord[];
  spans: SpanRecord[];
  /** Every entity the evidence mentions (events, logs, spans), for alias sets and checks. */
  seenEntities: Set<string>;
  /** Records (NDJSON) or 1 (JSON document) per signal. */
  counts: Record<string, number>;
  timingsMs: Record<string, number>;
}

/**
 * Collects every signal of the table for the window into `snapshot/` of the writer, then task.md. Every
 * string written passes the substrate's `present` and, when given, `history` (times before the run moved
 * into the past); the signals keep what they found as collected, for the checks.
 * Each collector is bounded by the window and the scope; nothing about the testbed (its namespace, its
 * settings service) is kept.
 */
export async function captureSnapshot(
  sources: CaptureSources,
  window: CaptureWindow,
  scope: CaptureScope,
  writer: BundleWriter,
  logger: Logger,
  recorded: RunRecordings = {},
  history?: HistoryShift,
  editor?: SnapshotEditor,
  signals: readonly Signal[] = SIGNALS,
): Promise<CaptureResult> {
  const substrate = sources.present?.bind(sources);
  // The substrate's stand-ins first (addresses), then the times before the run moved into the past.
  const present =
    substrate || history
      ? (text: string, key?: string): string => {
          const s = substrate ? substrate(text) : text;
          return history ? history.text(s, key) : s;
        }
      : undefined;
  const timingsMs: Record<string, number> = {};
  const counts: Record<string, number> = {};
  const found: CaptureFindings = { spans: [], events: [], objects: [], seen: new Set() };
  for (const signal of signals) {
    const t0 = Date.now();
    try {
      const out = await signal.collect({ sources, window, scope, logger, found, recorded, history });
      if ('json' in out) {
        const json = present ? mapStrings(out.json, present) : out.json;
        await writer.writeJson(
          signal.file,
          editor?.edits(signal.name) ? editor.json(signal.name, json) : json,
        );
        counts[signal.name] = 1;
      } else {
        const records = present ? presented(out.records, present) : out.records;
        counts[signal.name] = await writer.writeNdjson(
          signal.file,
          editor?.edits(signal.name) ? editor.records(signal.name, await collect(records)) : records,
        );
      }
    } finally {
      timingsMs[signal.name] = Date.now() - t0;
      logger.debug({ collector: signal.name, ms: timingsMs[signal.name] }, 'collected');
    }
  }
  await writer.writeText(SnapshotFile.task, taskText(window, scope.namespaces, signals));
  return {
    alerts: found.alerts ?? { active: [], timeline: [] },
    topology: found.topology ?? { entities: [], edges: [] },
    events: found.events,
    spans: found.spans,
    seenEntities: found.seen,
    counts,
    timingsMs,
  };
}

async function collect(records: Iterable<unknown> | AsyncIterable<unknown>): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const r of records) out.push(r);
  return out;
}

async function* presented(
  records: Iterable<unknown> | AsyncIterable<unknown>,
  present: (text: string, key?: string) => string,
): AsyncIterable<unknown> {
  for await (const r of records) yield mapStrings(r, present);
}
