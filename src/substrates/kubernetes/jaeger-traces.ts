import type { SpanRecord } from '../../bundle/records.js';
import { FiredrillError } from '../../errors/firedrill-error.js';
import { ExitCode } from '../../errors/exit-codes.js';
import { normalizeOtlpJson } from '../../telemetry/otlp-normalize.js';

export interface JaegerTraceOptions {
  /** Jaeger query base URL, e.g. the service-proxy forwarder's `http://127.0.0.1:PORT`. */
  baseUrl: string;
  fetch?: typeof fetch;
  /** Traces asked for per service and time slice; default 500. */
  searchDepth?: number;
  /** The window is queried in slices of this length so busy minutes do not crowd out quiet ones; default 60 s. */
  sliceMs?: number;
  /** Services not queried (Jaeger's own spans). */
  skipServices?: readonly string[];
  timeoutMs?: number;
}

/**
 * Spans in [start, end] from Jaeger's api/v3 (OTLP JSON out). Jaeger searches by service, so every service
 * it knows is queried, slice by slice, and spans seen through several services are kept once. Parameters
 * are the snake_case names every Jaeger v2 release accepts (query.service_name, query.start_time_min,
 * query.start_time_max, RFC 3339); the result limit is sent under both names it has had
 * (query.search_depth, formerly query.num_traces).
 */
export async function fetchJaegerSpans(
  opts: JaegerTraceOptions,
  window: { start: Date; end: Date },
): Promise<SpanRecord[]> {
  const doFetch = opts.fetch ?? fetch;
  const base = opts.baseUrl.replace(/\/+$/, '');
  const depth = String(opts.searchDepth ?? 500);
  const sliceMs = opts.sliceMs ?? 60_000;
  const skip = new Set(opts.skipServices ?? ['jaeger']);
  const get = async (path: string): Promise<{ status: number; text: string }> => {
    const res = await doFetch(`${base}${path}`, {
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(opts.timeoutMs ?? 30_000),
    });
    return { status: res.status, text: await res.text() };
  };

  const services = await get('/api/v3/services');
  if (services.status !== 200) throw jaegerError('/api/v3/services', services);
  const names = ((JSON.parse(services.text) as { services?: string[] }).services ?? [])
    .filter((s) => !skip.has(s))
    .sort();

  const seen = new Set<string>();
  const out: SpanRecord[] = [];
  const from = window.start.getTime();
  const to = window.end.getTime();
  const slices: Array<[number, number]> = [];
  for (let t = from; t < to; t += sliceMs) slices.push([t, Math.min(t + sliceMs, to)]);
  if (slices.length === 0) slices.push([from, to]);
  for (const service of names) {
    for (const [min, max] of slices) {
      const params = new URLSearchParams({
        'query.service_name': service,
        'query.start_time_min': new Date(min).toISOString(),
        'query.start_time_max': new Date(max).toISOString(),
        'query.search_depth': depth,
        'query.num_traces': depth,
      });
      const path = `/api/v3/traces?${params.toString()}`;
      const res = await get(path);
      // Jaeger answers 404 when nothing matched.
      if (res.status === 404) continue;
      if (res.status !== 200) throw jaegerError(path, res);
      for (const span of normalizeOtlpJson(parseDocuments(res.text))) {
        const key = `${span.traceId}/${span.spanId}`;
        if (seen.has(key)) continue;
        seen.add(key);
        if (Date.parse(span.end) < from || Date.parse(span.start) > to) continue;
        out.push(span);
      }
    }
  }
  return out.sort((a, b) => a.start.localeCompare(b.start) || a.spanId.localeCompare(b.spanId));
}

/** One JSON document, or several (newer Jaeger releases stream one result chunk per line). */
export function parseDocuments(text: string): unknown[] {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  try {
    return [JSON.parse(trimmed)];
  } catch {
    return trimmed
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as unknown);
  }
}

function jaegerError(path: string, res: { status: number; text: string }): FiredrillError {
  return new FiredrillError(
    `Jaeger query ${path} answered ${res.status}: ${res.text.slice(0, 300)}`,
    ExitCode.SubstrateError,
  );
}
