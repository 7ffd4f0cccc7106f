import type {
  InstantQueryResult,
  PrometheusAlert,
  PrometheusApi,
  RangeSeries,
  RuleGroup,
  TargetsResult,
  Labels,
} from '../prometheus-api.js';

/**
 * A Prometheus for tests: `alerts()` answers from a function the test controls (so an alert can start
 * firing at the third poll), range queries from a fixed list of series filtered by `__name__`.
 */
export class FakePrometheus implements PrometheusApi {
  readonly queries: string[] = [];
  alertPolls = 0;

  constructor(
    private readonly opts: {
      alerts?: (poll: number) => PrometheusAlert[];
      series?: RangeSeries[];
    } = {},
  ) {}

  async query(expr: string): Promise<InstantQueryResult> {
    this.queries.push(expr);
    return { resultType: 'vector', result: [] };
  }

  async queryRange(expr: string): Promise<RangeSeries[]> {
    this.queries.push(expr);
    const name = /__name__="([^"]+)"/.exec(expr)?.[1] ?? (/^[A-Za-z_:][\w:]*$/.test(expr) ? expr : undefined);
    return (this.opts.series ?? []).filter((s) => name === undefined || s.metric.__name__ === name);
  }

  async series(): Promise<Labels[]> {
    return (this.opts.series ?? []).map((s) => s.metric);
  }

  async labelValues(label: string): Promise<string[]> {
    return [...new Set((this.opts.series ?? []).map((s) => s.metric[label]).filter((v) => v !== undefined))];
  }

  async alerts(): Promise<PrometheusAlert[]> {
    return this.opts.alerts?.(this.alertPolls++) ?? [];
  }

  async rules(): Promise<RuleGroup[]> {
    return [];
  }

  async targets(): Promise<TargetsResult> {
    return { activeTargets: [], droppedTargets: [] };
  }
}

/** A firing (or pending) alert as /api/v1/alerts reports it. */
export function promAlert(
  alertname: string,
  labels: Labels = {},
  state: PrometheusAlert['state'] = 'firing',
): PrometheusAlert {
  return {
    labels: { alertname, ...labels },
    annotations: {},
    state,
    activeAt: '2025-01-01T00:00:00Z',
    value: '1',
  };
}
