import type { AlertsFile, EventRecord, ObjectChange, SpanRecord, Topology } from '../bundle/records.js';
import type { KubeObject } from '../kube/kube-object.js';
import type { Logger } from '../logging/logger.js';
import type { CaptureSources, CaptureWindow } from '../platform/capture-sources.js';
import type { CaptureScope } from './capture-scope.js';
import type { HistoryShift } from './history-shift.js';

/** What earlier signals found, for later ones (topology needs objects and spans) and for the run. */
export interface CaptureFindings {
  alerts?: AlertsFile;
  spans: SpanRecord[];
  events: EventRecord[];
  objects: KubeObject[];
  topology?: Topology;
  /** Every entity the evidence mentions (events, logs, spans), for alias sets and checks. */
  seen: Set<string>;
}

export interface SignalContext {
  sources: CaptureSources;
  window: CaptureWindow;
  scope: CaptureScope;
  logger: Logger;
  found: CaptureFindings;
  /** What the run recorded while it went on (object changes); absent when nothing recorded it. */
  recorded: RunRecordings;
  /** Times before the run moved into the past; strings are moved by the capture, values by the signal. */
  history?: HistoryShift;
}

/** Signals recorded during the run rather than queried at capture. */
export interface RunRecordings {
  objectChanges?: (window: CaptureWindow) => ObjectChange[];
}

/** A signal's output: one JSON document, or records written one per line. */
export type Collected = { json: unknown } | { records: Iterable<unknown> | AsyncIterable<unknown> };

/**
 * One kind of evidence in snapshot/: where it is written, how task.md announces it, where
 * docs/bundle-format.md describes it, and how it is collected for the window. The table in signals.ts
 * is the only list: capture, task.md and the docs test all read it.
 */
export interface Signal {
  /** Short name for timings and logs (`alerts`, `logs`...). */
  readonly name: string;
  /** Path in the bundle (one of bundle/layout's SnapshotFile). */
  readonly file: string;
  /** task.md's evidence line: what the file holds, in an SRE's words. */
  readonly evidence: string;
  /** Heading anchor of the file's section in docs/bundle-format.md. */
  readonly docs: string;
  collect(ctx: SignalContext): Promise<Collected>;
}
