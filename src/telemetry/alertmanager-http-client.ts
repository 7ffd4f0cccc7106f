import { z } from 'zod';
import { PrometheusApiError } from '../errors/prometheus-api-error.js';
import { errorText } from '../util/error-text.js';
import type {
  AlertFilter,
  AlertmanagerAlert,
  AlertmanagerApi,
  AlertmanagerStatus,
} from './alertmanager-api.js';
import type { HttpClientOptions } from './prometheus-http-client.js';

const labels = z.record(z.string(), z.string());
const alertSchema = z.object({
  labels,
  annotations: labels.default({}),
  startsAt: z.string(),
  endsAt: z.string(),
  updatedAt: z.string(),
  fingerprint: z.string(),
  generatorURL: z.string().optional(),
  receivers: z.array(z.object({ name: z.string() })).default([]),
  status: z.object({
    state: z.enum(['active', 'suppressed', 'unprocessed']),
    silencedBy: z
      .array(z.string())
      .nullable()
      .transform((v) => v ?? []),
    inhibitedBy: z
      .array(z.string())
      .nullable()
      .transform((v) => v ?? []),
  }),
});
const statusSchema = z.object({
  cluster: z.object({ status: z.string() }),
  versionInfo: z.object({ version: z.string() }).partial().default({}),
  uptime: z.string(),
  config: z.object({ original: z.string() }),
});

/** Alertmanager's API v2 over fetch; failures throw PrometheusApiError. */
export class AlertmanagerHttpClient implements AlertmanagerApi {
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

  async alerts(filter: AlertFilter = {}): Promise<AlertmanagerAlert[]> {
    const params = new URLSearchParams();
    for (const key of ['active', 'silenced', 'inhibited', 'unprocessed'] as const) {
      if (filter[key] !== undefined) params.set(key, String(filter[key]));
    }
    for (const f of filter.filter ?? []) params.append('filter', f);
    if (filter.receiver) params.set('receiver', filter.receiver);
    const query = params.size > 0 ? `?${params}` : '';
    return this.get(`/api/v2/alerts${query}`, z.array(alertSchema));
  }

  async status(): Promise<AlertmanagerStatus> {
    const s = await this.get('/api/v2/status', statusSchema);
    return {
      clusterStatus: s.cluster.status,
      version: s.versionInfo.version ?? '',
      uptime: s.uptime,
      configYaml: s.config.original,
    };
  }

  private async get<T>(path: string, schema: z.ZodType<T>): Promise<T> {
    const url = `${this.base}${path}`;
    let res: Response;
    try {
      res = await this.fetchFn(url, { headers: this.headers, signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (err) {
      throw new PrometheusApiError(url, `request failed: ${errorText(err)}`, { cause: err });
    }
    const text = await res.text();
    if (!res.ok) {
      // Alertmanager answers errors as a JSON string or plain text.
      let message = text.trim();
      try {
        const parsed: unknown = JSON.parse(text);
        if (typeof parsed === 'string') message = parsed;
        else if (parsed && typeof parsed === 'object' && 'message' in parsed)
          message = String(parsed.message);
      } catch {
        // keep the text
      }
      throw new PrometheusApiError(url, message || res.statusText, { status: res.status });
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new PrometheusApiError(url, `not a JSON answer: ${text.slice(0, 200)}`, { status: res.status });
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success)
      throw new PrometheusApiError(url, `answer not understood: ${z.prettifyError(parsed.error)}`);
    return parsed.data;
  }
}
