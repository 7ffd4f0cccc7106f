import { z } from 'zod';
import { PrometheusApiError } from '../errors/prometheus-api-error.js';
import { errorText } from '../util/error-text.js';
import type {
  ActiveTarget,
  InstantQueryResult,
  Labels,
  MetricPoint,
  PrometheusAlert,
  PrometheusApi,
  RangeSeries,
  RuleGroup,
  TargetsResult,
  TimeInput,
} from './prometheus-api.js';

export interface HttpClientOptions {
  /** e.g. `http://127.0.0.1:9090` (a path prefix is kept). */
  baseUrl: string;
  /** Per request; default 30 s. */
  timeoutMs?: number;
  fetch?: typeof fetch;
  /** Sent with every request (e.g. Authorization for a remote cluster's Prometheus). */
  headers?: Record<string, string>;
}

const labelsSchema = z.record(z.string(), z.string());
const pointSchema = z.tuple([z.number(), z.string()]);
const alertSchema = z.object({
  labels: labelsSchema,
  annotations: labelsSchema.default({}),
  state: z.enum(['pending', 'firing', 'inactive']),
  activeAt: z.string().optional(),
  value: z.string().default(''),
});
const ruleSchema = z.union([
  z.object({
    type: z.literal('alerting'),
    name: z.string(),
    query: z.string(),
    duration: z.number().default(0),
    labels: labelsSchema.default({}),
    annotations: labelsSchema.default({}),
    alerts: z.array(alertSchema).default([]),
    health: z.string(),
    lastError: z.string().optional(),
    state: z.enum(['pending', 'firing', 'inactive']).optional(),
  }),
  z.object({
    type: z.literal('recording'),
    name: z.string(),
    query: z.string(),
    labels: labelsSchema.default({}),
    health: z.string(),
    lastError: z.string().optional(),
  }),
]);
const targetSchema = z.object({
  discoveredLabels: labelsSchema.default({}),
  labels: labelsSchema.default({}),
  scrapePool: z.string(),
  scrapeUrl: z.string(),
  lastError: z.string().default(''),
  lastScrape: z.string(),
  lastScrapeDuration: z.number(),
  health: z.enum(['up', 'down', 'unknown']),
});

/** Prometheus' HTTP API over fetch. Query endpoints use POST so long expressions fit. */
export class PrometheusHttpClient implements PrometheusApi {
  private readonly base: string;
  private readonly timeoutMs: number;
  private readonly fetchFn: typeof fetch;
  private readonly headers: Record<string, string>;

  constructor(opts: HttpClientOptions) {
    this.base = opts.baseUrl.replace(/\/+$/, '');
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.fetchFn = opts.fetch ?? fetch;
    this.headers = opts.headers ?? {};
  }

  async query(expr: string, time?: TimeInput): Promise<InstantQueryResult> {
    const params: Array<[string, string]> = [['query', expr]];
    if (time !== undefined) params.push(['time', promTime(time)]);
    const data = await this.call('/api/v1/query', params, 'POST');
    return parseInstant(data, this.url('/api/v1/query'));
  }

  async queryRange(expr: string, start: TimeInput, end: TimeInput, stepSec: number): Promise<RangeSeries[]> {
    const data = await this.call(
      '/api/v1/query_range',
      [
        ['query', expr],
        ['start', promTime(start)],
        ['end', promTime(end)],
        ['step', String(stepSec)],
      ],
      'POST',
    );
    const parsed = this.check(
      z.object({
        resultType: z.literal('matrix'),
        result: z.array(z.object({ metric: labelsSchema, values: z.array(pointSchema) })),
      }),
      data,
      '/api/v1/query_range',
    );
    return parsed.result.map((s) => ({ metric: s.metric, values: s.values.map(toPoint) }));
  }

  async series(match: readonly string[], start?: TimeInput, end?: TimeInput): Promise<Labels[]> {
    const params: Array<[string, string]> = match.map((m) => ['match[]', m]);
    if (start !== undefined) params.push(['start', promTime(start)]);
    if (end !== undefined) params.push(['end', promTime(end)]);
    return this.check(
      z.array(labelsSchema),
      await this.call('/api/v1/series', params, 'POST'),
      '/api/v1/series',
    );
  }

  async labelValues(
    label: string,
    opts: { match?: readonly string[]; start?: TimeInput; end?: TimeInput } = {},
  ): Promise<string[]> {
    const params: Array<[string, string]> = (opts.match ?? []).map((m) => ['match[]', m]);
    if (opts.start !== undefined) params.push(['start', promTime(opts.start)]);
    if (opts.end !== undefined) params.push(['end', promTime(opts.end)]);
    const path = `/api/v1/label/${encodeURIComponent(label)}/values`;
    return this.check(z.array(z.string()), await this.call(path, params, 'GET'), path);
  }

  async alerts(): Promise<PrometheusAlert[]> {
    const data = await this.call('/api/v1/alerts', [], 'GET');
    return this.check(z.object({ alerts: z.array(alertSchema) }), data, '/api/v1/alerts').alerts;
  }

  async rules(opts: { type?: 'alert' | 'record' } = {}): Promise<RuleGroup[]> {
    const params: Array<[string, string]> = opts.type ? [['type', opts.type]] : [];
    const data = await this.call('/api/v1/rules', params, 'GET');
    const groups = z.object({
      groups: z.array(
        z.object({ name: z.string(), file: z.string(), interval: z.number(), rules: z.array(ruleSchema) }),
      ),
    });
    return this.check(groups, data, '/api/v1/rules').groups;
  }

  async targets(state: 'active' | 'dropped' | 'any' = 'any'): Promise<TargetsResult> {
    const data = await this.call('/api/v1/targets', [['state', state]], 'GET');
    const schema = z.object({
      activeTargets: z.array(targetSchema).default([]),
      droppedTargets: z.array(z.object({ discoveredLabels: labelsSchema })).default([]),
    });
    const parsed = this.check(schema, data, '/api/v1/targets');
    return { activeTargets: parsed.activeTargets as ActiveTarget[], droppedTargets: parsed.droppedTargets };
  }

  private url(path: string): string {
    return `${this.base}${path}`;
  }

  /** Sends a request and returns `data` of a `status: "success"` envelope; anything else throws. */
  private async call(
    path: string,
    params: Array<[string, string]>,
    method: 'GET' | 'POST',
  ): Promise<unknown> {
    const body = new URLSearchParams(params);
    const url = method === 'GET' && params.length > 0 ? `${this.url(path)}?${body}` : this.url(path);
    let res: Response;
    try {
      res = await this.fetchFn(url, {
        method,
        headers:
          method === 'POST'
            ? { ...this.headers, 'Content-Type': 'application/x-www-form-urlencoded' }
            : this.headers,
        body: method === 'POST' ? body.toString() : undefined,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw new PrometheusApiError(this.url(path), `request failed: ${errorText(err)}`, { cause: err });
    }
    const text = await res.text();
    let envelope: unknown;
    try {
      envelope = JSON.parse(text);
    } catch {
      throw new PrometheusApiError(this.url(path), `not a JSON answer: ${text.slice(0, 200)}`, {
        status: res.status,
      });
    }
    const parsed = z
      .object({
        status: z.string(),
        data: z.unknown().optional(),
        errorType: z.string().optional(),
        error: z.string().optional(),
      })
      .safeParse(envelope);
    if (!parsed.success) {
      throw new PrometheusApiError(this.url(path), `unexpected answer: ${text.slice(0, 200)}`, {
        status: res.status,
      });
    }
    if (parsed.data.status !== 'success' || !res.ok) {
      throw new PrometheusApiError(this.url(path), parsed.data.error ?? `status ${parsed.data.status}`, {
        status: res.status,
        errorType: parsed.data.errorType,
      });
    }
    return parsed.data.data;
  }

  private check<T>(schema: z.ZodType<T>, data: unknown, path: string): T {
    const parsed = schema.safeParse(data);
    if (!parsed.success) {
      throw new PrometheusApiError(this.url(path), `answer not understood: ${z.prettifyError(parsed.error)}`);
    }
    return parsed.data;
  }
}

function parseInstant(data: unknown, url: string): InstantQueryResult {
  const schema = z.discriminatedUnion('resultType', [
    z.object({
      resultType: z.literal('vector'),
      result: z.array(z.object({ metric: labelsSchema, value: pointSchema })),
    }),
    z.object({
      resultType: z.literal('matrix'),
      result: z.array(z.object({ metric: labelsSchema, values: z.array(pointSchema) })),
    }),
    z.object({ resultType: z.literal('scalar'), result: pointSchema }),
    z.object({ resultType: z.literal('string'), result: pointSchema }),
  ]);
  const parsed = schema.safeParse(data);
  if (!parsed.success)
    throw new PrometheusApiError(url, `answer not understood: ${z.prettifyError(parsed.error)}`);
  const r = parsed.data;
  switch (r.resultType) {
    case 'vector':
      return {
        resultType: 'vector',
        result: r.result.map((s) => ({ metric: s.metric, value: toPoint(s.value) })),
      };
    case 'matrix':
      return {
        resultType: 'matrix',
        result: r.result.map((s) => ({ metric: s.metric, values: s.values.map(toPoint) })),
      };
    case 'scalar':
      return { resultType: 'scalar', result: toPoint(r.result) };
    case 'string':
      return { resultType: 'string', result: r.result };
  }
}

/** Prometheus sends values as strings; numbers become numbers, NaN/±Inf keep their spelling (JSON has none). */
export function toPoint([ts, raw]: [number, string]): MetricPoint {
  if (raw === 'NaN' || raw === '+Inf' || raw === '-Inf') return [ts, raw];
  if (raw === 'Inf') return [ts, '+Inf'];
  return [ts, Number(raw)];
}

/** Unix seconds with millisecond precision, as Prometheus takes times. */
export function promTime(t: TimeInput): string {
  const ms = t instanceof Date ? t.getTime() : t;
  return (ms / 1000).toFixed(3);
}
