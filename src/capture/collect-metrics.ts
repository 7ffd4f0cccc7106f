import type { MetricSeries } from '../bundle/records.js';
import type { PrometheusApi } from '../telemetry/prometheus-api.js';
import type { CaptureScope } from './capture-scope.js';
import type { CaptureWindow } from '../platform/capture-sources.js';

const ALERT_SERIES = ['ALERTS', 'ALERTS_FOR_STATE'];

/**
 * kube-state-metrics' `kube_<kind>_metadata_resource_version`: the API server's write counter, withheld from
 * objects for the same reason (docs/bundle-format.md). It grows run after run in one substrate session, so it
 * tells the order the runs had in a corpus, and counts the writes the run made before the window.
 */
const WITHHELD = /^kube_[a-z]+_metadata_resource_version$/;

/**
 * Every series of the app's jobs over the window at the scrape step, one range query per metric name
 * (one query for everything would hit Prometheus' sample limits on long windows).
 */
export async function collectMetrics(
  prom: PrometheusApi,
  window: CaptureWindow,
  scope: CaptureScope,
): Promise<MetricSeries[]> {
  const jobs = scope.jobs.join('|');
  const nss = scope.namespaces.join('|');
  const selector = `job=~"${jobs}",namespace=~"${nss}"`;
  const names = await prom.labelValues('__name__', {
    match: [`{${selector}}`],
    start: window.start,
    end: window.end,
  });
  // Prometheus' own alert series carry the alert's labels, and most alerts aggregate `job` away: they
  // are the app namespaces' whatever their job, or the series would hold only some of alerts.json's.
  const alertSelector = `namespace=~"${nss}"`;
  const out: MetricSeries[] = [];
  for (const name of [...new Set([...names, ...ALERT_SERIES])].filter((n) => !WITHHELD.test(n)).sort()) {
    const series = await prom.queryRange(
      `{__name__="${name}",${ALERT_SERIES.includes(name) ? alertSelector : selector}}`,
      window.start,
      window.end,
      scope.stepSec,
    );
    for (const s of series) {
      const { __name__: _n, ...labels } = s.metric;
      out.push({ name, labels, points: s.values });
    }
  }
  out.sort(
    (a, b) =>
      a.name.localeCompare(b.name) || JSON.stringify(a.labels).localeCompare(JSON.stringify(b.labels)),
  );
  return out;
}
