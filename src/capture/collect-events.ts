import type { EventRecord } from '../bundle/records.js';
import type { KubeObject } from '../kube/kube-object.js';
import { ofKind } from '../kube/typed-objects.js';
import { apiGroupOf, MACHINERY_API_GROUPS, type CaptureScope } from './capture-scope.js';
import type { CaptureWindow } from '../platform/capture-sources.js';

/**
 * Events that overlap the window, in the app's namespaces or about cluster-scoped objects (nodes), never
 * about the testbed's machinery (MACHINERY_API_GROUPS).
 */
export function collectEvents(
  events: KubeObject[],
  window: CaptureWindow,
  scope: CaptureScope,
): EventRecord[] {
  // By time, not text: the API writes whole seconds ("…:35Z"), MicroTime adds microseconds, and "Z" sorts
  // after ".", so "…:35Z" would read as later than "…:35.900Z".
  const start = window.start.getTime();
  const end = window.end.getTime();
  const out: EventRecord[] = [];
  for (const e of ofKind(events, 'Event')) {
    const io = e.involvedObject;
    if (!io.kind || !io.name) continue;
    const namespaced = io.namespace !== undefined && io.namespace !== '';
    if (namespaced && !scope.namespaces.includes(io.namespace ?? '')) continue;
    if (MACHINERY_API_GROUPS.has(apiGroupOf(io.apiVersion))) continue;
    const first = String(e.firstTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp ?? '');
    const last = String(e.lastTimestamp ?? first);
    if (Date.parse(last) < start || Date.parse(first) > end) continue;
    out.push({
      type: e.type === 'Warning' ? 'Warning' : 'Normal',
      reason: String(e.reason ?? ''),
      message: String(e.message ?? ''),
      involvedObject: { kind: io.kind, ...(namespaced ? { namespace: io.namespace } : {}), name: io.name },
      firstTimestamp: first,
      lastTimestamp: last,
      count: Number(e.count ?? 1),
      source: {
        component: String(e.source?.component ?? e.reportingComponent ?? ''),
        // The kubelet names its node, as `kubectl describe` shows ("kubelet, worker-1").
        ...(e.source?.host ? { host: e.source.host } : {}),
      },
      entity: namespaced ? `${io.namespace}/${io.kind}/${io.name}` : `${io.kind}/${io.name}`,
    });
  }
  return out.sort(
    (a, b) => Date.parse(a.lastTimestamp) - Date.parse(b.lastTimestamp) || a.entity.localeCompare(b.entity),
  );
}
