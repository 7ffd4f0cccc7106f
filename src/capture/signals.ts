import type { LogRecord, SpanRecord } from '../bundle/records.js';
import { SnapshotFile } from '../bundle/layout.js';
import { collectAlerts } from './collect-alerts.js';
import { collectEvents } from './collect-events.js';
import { collectMetrics } from './collect-metrics.js';
import { collectObjects } from './collect-objects.js';
import { buildTopology } from './collect-topology.js';
import { MACHINERY_SERVICES } from './capture-scope.js';
import { inScope } from './in-scope.js';
import { sanitizeObject } from './sanitize-object.js';
import type { Signal } from './signal.js';

/**
 * Every signal a snapshot holds, in collection order (topology reads what objects and traces found; the
 * objects come before the changes, the metrics and the topology, which a drawn past edits after them).
 * A new signal is one collector file and one row here.
 */
export const SIGNALS: readonly Signal[] = [
  {
    name: 'alerts',
    file: SnapshotFile.alerts,
    evidence: 'alerts active at the end of the window, and every pending/firing interval in it',
    docs: 'alertsjson',
    async collect({ sources, window, scope, found }) {
      found.alerts = await collectAlerts(sources.prometheus, window, scope);
      return { json: found.alerts };
    },
  },
  {
    name: 'events',
    file: SnapshotFile.events,
    evidence: 'Kubernetes events',
    docs: 'eventsndjson',
    async collect({ sources, window, scope, found }) {
      found.events = collectEvents(await sources.events(), window, scope);
      for (const e of found.events) found.seen.add(e.entity);
      return { records: found.events };
    },
  },
  {
    name: 'logs',
    file: SnapshotFile.logs,
    evidence: 'container logs, one line per record',
    docs: 'logsndjson',
    async collect({ sources, window, scope, found }) {
      const logs = (await sources.logs(window)).filter((l: LogRecord) => inScope(l.entity, scope));
      for (const l of logs) found.seen.add(l.entity);
      return { records: logs };
    },
  },
  {
    name: 'traces',
    file: SnapshotFile.traces,
    evidence: 'distributed-tracing spans, one span per line',
    docs: 'tracesndjson',
    async collect({ sources, window, scope, found }) {
      // By start, as a trace store returns a query: the order spans were exported in (per process, in
      // batches) is the collector's, not the cluster's.
      found.spans = (await sources.traces(window))
        .filter((s: SpanRecord) => !MACHINERY_SERVICES.has(s.service) && inScope(s.entity, scope))
        .map((s) => ({ s, at: Date.parse(s.start) }))
        .sort(
          (a, b) => a.at - b.at || a.s.start.localeCompare(b.s.start) || a.s.spanId.localeCompare(b.s.spanId),
        )
        .map(({ s }) => s);
      for (const s of found.spans) if (s.entity) found.seen.add(s.entity);
      return { records: found.spans };
    },
  },
  {
    name: 'objects',
    file: SnapshotFile.objects,
    evidence: 'the Kubernetes objects at the end of the window',
    docs: 'objectsndjson',
    async collect({ sources, scope, found }) {
      found.objects = await collectObjects(sources.objects, scope);
      return { records: found.objects.map(sanitizeObject) };
    },
  },
  {
    name: 'object-changes',
    file: SnapshotFile.objectChanges,
    evidence:
      'every change to those objects during the window (created, modified with the version before, deleted)',
    docs: 'object-changesndjson',
    async collect({ recorded, window }) {
      return { records: recorded.objectChanges?.(window) ?? [] };
    },
  },
  {
    name: 'metrics',
    file: SnapshotFile.metrics,
    evidence: 'Prometheus series over the window, one series per line',
    docs: 'metricsndjson',
    async collect({ sources, window, scope, history }) {
      const series = await collectMetrics(sources.prometheus, window, scope);
      return { records: history ? series.map((s) => history.series(s)) : series };
    },
  },
  {
    name: 'topology',
    file: SnapshotFile.topology,
    evidence: 'entities and how they own, select, use and call each other',
    docs: 'topologyjson',
    async collect({ found }) {
      found.topology = buildTopology(found.objects, found.spans);
      return { json: found.topology };
    },
  },
];
