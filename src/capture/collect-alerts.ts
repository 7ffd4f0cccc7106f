import type { AlertsFile, AlertTimelineEntry, ActiveAlert, Labels } from '../bundle/records.js';
import type { PrometheusApi } from '../telemetry/prometheus-api.js';
import { alertEntity } from '../entities/alert-entity.js';
import type { CaptureScope } from './capture-scope.js';
import type { CaptureWindow } from '../platform/capture-sources.js';

const iso = (sec: number): string => new Date(sec * 1000).toISOString();

function inScope(labels: Labels, scope: CaptureScope): boolean {
  return !labels.namespace || scope.namespaces.includes(labels.namespace);
}

/**
 * Alerts pending or firing at capture time, and every pending/firing interval in the window from
 * Prometheus' own `ALERTS` series (a gap longer than two steps ends an interval).
 */
export async function collectAlerts(
  prom: PrometheusApi,
  window: CaptureWindow,
  scope: CaptureScope,
): Promise<AlertsFile> {
  const active: ActiveAlert[] = [];
  for (const a of await prom.alerts()) {
    if (a.state === 'inactive' || !inScope(a.labels, scope)) continue;
    const { alertname, ...labels } = a.labels;
    active.push({
      alertname,
      state: a.state,
      labels,
      annotations: a.annotations,
      activeAt: a.activeAt ?? '',
      value: a.value,
      entity: alertEntity(a.labels),
    });
  }
  active.sort((x, y) => x.activeAt.localeCompare(y.activeAt) || x.alertname.localeCompare(y.alertname));

  const timeline: AlertTimelineEntry[] = [];
  const series = await prom.queryRange('ALERTS', window.start, window.end, scope.stepSec);
  const endSec = window.end.getTime() / 1000;
  for (const s of series) {
    const { __name__: _n, alertname, alertstate, ...labels } = s.metric;
    if (!inScope(labels, scope) || (alertstate !== 'pending' && alertstate !== 'firing')) continue;
    let runStart: number | undefined;
    let prev = 0;
    const flush = (last: number, open: boolean): void => {
      if (runStart === undefined) return;
      timeline.push({
        alertname,
        labels,
        state: alertstate,
        start: iso(runStart),
        end: open ? null : iso(last),
      });
    };
    for (const [ts] of s.values) {
      if (runStart !== undefined && ts - prev > 2 * scope.stepSec) {
        flush(prev, false);
        runStart = undefined;
      }
      runStart ??= ts;
      prev = ts;
    }
    flush(prev, endSec - prev <= 2 * scope.stepSec);
  }
  timeline.sort((x, y) => x.start.localeCompare(y.start) || x.alertname.localeCompare(y.alertname));
  return { active, timeline };
}

/** Names of alerts that were firing at any point of the window (for ground truth and checks). */
export function firedAlertNames(file: AlertsFile): string[] {
  const names = new Set<string>();
  for (const t of file.timeline) if (t.state === 'firing') names.add(t.alertname);
  for (const a of file.active) if (a.state === 'firing') names.add(a.alertname);
  return [...names].sort();
}
