import { FakePrometheus } from '../telemetry/testing/fake-prometheus.js';
import { DEFAULT_SCOPE } from './capture-scope.js';
import { collectMetrics } from './collect-metrics.js';

describe('collectMetrics', () => {
  it("asks for the app jobs' series by job and namespace, and for every alert series of the namespace", async () => {
    const prom = new FakePrometheus({
      series: [
        { metric: { __name__: 'http_requests_total', job: 'shop', namespace: 'shop' }, values: [[1, 1]] },
        {
          metric: { __name__: 'ALERTS', alertname: 'ShopHighErrorRate', namespace: 'shop' },
          values: [[1, 1]],
        },
      ],
    });
    const window = { start: new Date(0), end: new Date(60_000) };
    const out = await collectMetrics(prom, window, DEFAULT_SCOPE);
    expect(out.map((s) => s.name)).toEqual(['ALERTS', 'http_requests_total']);
    expect(prom.queries).toContain('{__name__="ALERTS",namespace=~"shop"}');
    expect(prom.queries).toContain('{__name__="ALERTS_FOR_STATE",namespace=~"shop"}');
    expect(prom.queries).toContain(
      '{__name__="http_requests_total",job=~"shop|kube-state-metrics|kubelet",namespace=~"shop"}',
    );
  });

  it("withholds kube-state-metrics' resource versions, the API server's write counter", async () => {
    const ksm = { job: 'kube-state-metrics', namespace: 'shop', cronjob: 'catalog-sync' };
    const prom = new FakePrometheus({
      series: [
        { metric: { __name__: 'kube_cronjob_metadata_resource_version', ...ksm }, values: [[1, 89543405]] },
        { metric: { __name__: 'kube_cronjob_spec_suspend', ...ksm }, values: [[1, 0]] },
      ],
    });
    const out = await collectMetrics(prom, { start: new Date(0), end: new Date(60_000) }, DEFAULT_SCOPE);
    expect(out.map((s) => s.name)).toEqual(['kube_cronjob_spec_suspend']);
  });
});
