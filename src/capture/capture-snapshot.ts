import type { BundleWriter } from '../bundle/bundle-writer.js';
import type { AlertsFile, LogRecord, SpanRecord, Topology } from '../bundle/records.js';
import type { Logger } from '../logging/logger.js';
import { collectAlerts } from './collect-alerts.js';
import { collectEvents } from './collect-events.js';
import { collectMetrics } from './collect-metrics.js';
import { buildTopology, TOPOLOGY_KINDS } from './collect-topology.js';
import { MACHINERY_SERVICES, type CaptureScope } from './capture-scope.js';
import type { CaptureSources, CaptureWindow } from '../platform/capture-sources.js';
import { sanitizeObject } from './sanitize-object.js';
import { taskText } from './task-text.js';

export interface CaptureResult {
  alerts: AlertsFile;
  topology: Topology;
  /** Every entity the evidence mentions (events, logs, spans), for alias sets and checks. */
  seenEntities: Set<string>;
  counts: Record<string, number>;
  timingsMs: Record<string, number>;
}

function inScope(entity: string | null | undefined, scope: CaptureScope): boolean {
  if (!entity) return false;
  const parts = entity.split('/');
  return parts.length === 2 || scope.namespaces.includes(parts[0]);
}

/**
 * Collects every signal for the window into `snapshot/` of the writer. Each collector is bounded by
 * the window and the scope; nothing about the testbed (its namespace, its settings service) is kept.
 */
export async function captureSnapshot(
  sources: CaptureSources,
  window: CaptureWindow,
  scope: CaptureScope,
  writer: BundleWriter,
  logger: Logger,
): Promise<CaptureResult> {
  const timingsMs: Record<string, number> = {};
  const counts: Record<string, number> = {};
  const seen = new Set<string>();
  const timed = async <T>(name: string, f: () => Promise<T>): Promise<T> => {
    const t0 = Date.now();
    try {
      return await f();
    } finally {
      timingsMs[name] = Date.now() - t0;
      logger.debug({ collector: name, ms: timingsMs[name] }, 'collected');
    }
  };

  const alerts = await timed('alerts', () => collectAlerts(sources.prometheus, window, scope));
  await writer.writeJson('snapshot/alerts.json', alerts);
  counts.alerts = alerts.timeline.length;

  const events = await timed('events', async () => collectEvents(await sources.events(), window, scope));
  for (const e of events) seen.add(e.entity);
  counts.events = await writer.writeNdjson('snapshot/events.ndjson', events);

  const logs = await timed('logs', async () =>
    (await sources.logs(window)).filter((l: LogRecord) => inScope(l.entity, scope)),
  );
  for (const l of logs) seen.add(l.entity);
  counts.logs = await writer.writeNdjson('snapshot/logs.ndjson', logs);

  const spans = await timed('traces', async () =>
    (await sources.traces(window)).filter(
      (s: SpanRecord) => !MACHINERY_SERVICES.has(s.service) && inScope(s.entity, scope),
    ),
  );
  for (const s of spans) if (s.entity) seen.add(s.entity);
  counts.traces = await writer.writeNdjson('snapshot/traces.ndjson', spans);

  const metrics = await timed('metrics', () => collectMetrics(sources.prometheus, window, scope));
  counts.metrics = await writer.writeNdjson('snapshot/metrics.ndjson', metrics);

  const objects = await timed('objects', async () => {
    const all = [];
    for (const kind of TOPOLOGY_KINDS) {
      for (const o of await sources.objects.list(kind)) {
        const ns = o.metadata.namespace;
        if (
          ns
            ? scope.namespaces.includes(ns)
            : kind === 'Node' || (kind === 'Namespace' && scope.namespaces.includes(o.metadata.name))
        )
          all.push(o);
      }
    }
    return all;
  });
  counts.objects = await writer.writeNdjson('snapshot/objects.ndjson', objects.map(sanitizeObject));
  const topology = buildTopology(objects, spans);
  await writer.writeJson('snapshot/topology.json', topology);
  await writer.writeText('snapshot/task.md', taskText(window, scope.namespaces));
  return { alerts, topology, seenEntities: seen, counts, timingsMs };
}
