import {
  ATTR_K8S_DEPLOYMENT_NAME,
  ATTR_K8S_NAMESPACE_NAME,
  ATTR_K8S_POD_NAME,
  ATTR_OTEL_STATUS_DESCRIPTION,
  ATTR_SERVICE_NAME,
  ATTR_SERVICE_NAMESPACE,
} from '@opentelemetry/semantic-conventions';
import type { SpanKind, SpanRecord, SpanStatus } from '../bundle/records.js';
import { tryParseEntityId } from '../entities/entity-id.js';
import type { OtlpAnyValue, OtlpKeyValue, OtlpLong, OtlpResourceSpans, OtlpSpan } from './otlp-json.js';

export interface NormalizeOptions {
  /** Namespace for spans whose resource names none (`k8s.namespace.name`); default `shop`. */
  defaultNamespace?: string;
}

export interface NormalizeResult {
  spans: SpanRecord[];
  /** Spans skipped because their ids or times were unusable. */
  rejected: number;
  /** One line per distinct reason a span was rejected. */
  problems: string[];
}

/** Attribute keys carrying span fields SpanRecord has no slot for (the names Jaeger uses for them). */
export const SPAN_KIND_ATTRIBUTE = 'span.kind';
export const STATUS_MESSAGE_ATTRIBUTE = ATTR_OTEL_STATUS_DESCRIPTION;

const KIND_NAMES = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];

/**
 * OTLP/JSON traces (an ExportTraceServiceRequest, or Jaeger api/v3's `{result: {resourceSpans}}`,
 * or a list of either) → SpanRecords, in payload order. Unusable spans are skipped.
 */
export function normalizeOtlpJson(payload: unknown, opts: NormalizeOptions = {}): SpanRecord[] {
  return normalizeOtlpJsonDetailed(payload, opts).spans;
}

export function normalizeOtlpJsonDetailed(payload: unknown, opts: NormalizeOptions = {}): NormalizeResult {
  const result: NormalizeResult = { spans: [], rejected: 0, problems: [] };
  const problems = new Set<string>();
  for (const rs of resourceSpansOf(payload)) {
    const resource = flattenAttributes(rs.resource?.attributes);
    const service =
      typeof resource[ATTR_SERVICE_NAME] === 'string' ? resource[ATTR_SERVICE_NAME] : 'unknown_service';
    const entity = entityFor(resource, service, opts.defaultNamespace ?? 'shop');
    for (const scope of [...(rs.scopeSpans ?? []), ...(rs.instrumentationLibrarySpans ?? [])]) {
      for (const span of scope.spans ?? []) {
        try {
          result.spans.push(normalizeSpan(span, service, entity, resource));
        } catch (err) {
          result.rejected++;
          problems.add(err instanceof Error ? err.message : String(err));
        }
      }
    }
  }
  result.problems = [...problems];
  return result;
}

function resourceSpansOf(payload: unknown): OtlpResourceSpans[] {
  if (Array.isArray(payload)) return payload.flatMap(resourceSpansOf);
  if (!payload || typeof payload !== 'object') return [];
  const obj = payload as { resourceSpans?: unknown; result?: unknown };
  if (Array.isArray(obj.resourceSpans)) return obj.resourceSpans as OtlpResourceSpans[];
  if (obj.result !== undefined) return resourceSpansOf(obj.result);
  return [];
}

function normalizeSpan(
  span: OtlpSpan,
  service: string,
  entity: string | null,
  resource: Record<string, string | number | boolean>,
): SpanRecord {
  const traceId = normalizeId(span.traceId, 16);
  const spanId = normalizeId(span.spanId, 8);
  if (!traceId) throw new Error(`invalid traceId ${JSON.stringify(span.traceId)}`);
  if (!spanId) throw new Error(`invalid spanId ${JSON.stringify(span.spanId)}`);
  const parent =
    span.parentSpanId === undefined || span.parentSpanId === '' ? null : normalizeId(span.parentSpanId, 8);
  const startNs = toNanos(span.startTimeUnixNano);
  const endNs = toNanos(span.endTimeUnixNano);
  if (startNs === undefined || startNs === 0n) throw new Error('missing startTimeUnixNano');
  const end = endNs === undefined || endNs < startNs ? startNs : endNs;

  const attributes = flattenAttributes(span.attributes);
  const kind = kindName(span.kind);
  if (kind && !(SPAN_KIND_ATTRIBUTE in attributes)) attributes[SPAN_KIND_ATTRIBUTE] = kind;
  const status = statusOf(span.status?.code);
  if (span.status?.message) attributes[STATUS_MESSAGE_ATTRIBUTE] = span.status.message;

  const record: SpanRecord = {
    traceId,
    spanId,
    parentSpanId: parent && !/^0+$/.test(parent) ? parent : null,
    service,
    name: span.name ?? '',
    start: nanosToIso(startNs),
    end: nanosToIso(end),
    // Microsecond resolution is plenty for latency and keeps the numbers short.
    durationMs: Math.round(Number(end - startNs) / 1000) / 1000,
    status,
    attributes,
    entity,
  };
  if (kind) record.kind = kind;
  // Copied per span: spans of one resource are spread over many payloads and their order is kept.
  if (Object.keys(resource).length > 0) record.resource = { ...resource };
  return record;
}

/**
 * A span's emitter as an entity id: the pod when the resource names pod and namespace (the
 * Kubernetes attributes the OTel operator and the local supervisor set), else the Deployment named
 * by `k8s.deployment.name` or, failing that, the service.
 */
export function entityFor(
  resource: Record<string, string | number | boolean>,
  service: string,
  defaultNamespace: string,
): string | null {
  const str = (key: string): string | undefined =>
    typeof resource[key] === 'string' && resource[key] !== '' ? (resource[key] as string) : undefined;
  const ns = str(ATTR_K8S_NAMESPACE_NAME) ?? str(ATTR_SERVICE_NAMESPACE) ?? defaultNamespace;
  const pod = str(ATTR_K8S_POD_NAME);
  const candidate =
    pod && str(ATTR_K8S_NAMESPACE_NAME)
      ? `${ns}/Pod/${pod}`
      : `${ns}/Deployment/${str(ATTR_K8S_DEPLOYMENT_NAME) ?? service}`;
  const parsed = tryParseEntityId(candidate);
  return parsed.ok ? parsed.id : null;
}

/** Hex (any case) or base64 id of `bytes` bytes → lower-case hex; undefined if neither. */
export function normalizeId(value: unknown, bytes: number): string | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  if (value.length === bytes * 2 && /^[0-9a-fA-F]+$/.test(value)) return value.toLowerCase();
  if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(value)) {
    const buf = Buffer.from(value.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (buf.length === bytes) return buf.toString('hex');
  }
  return undefined;
}

function toNanos(v: OtlpLong | undefined): bigint | undefined {
  if (v === undefined || v === null) return undefined;
  try {
    if (typeof v === 'string') return v === '' ? undefined : BigInt(v);
    if (typeof v === 'number') return BigInt(Math.trunc(v));
    if (typeof v === 'object' && typeof v.low === 'number' && typeof v.high === 'number') {
      return (BigInt(v.high >>> 0) << 32n) + BigInt(v.low >>> 0);
    }
  } catch {
    return undefined;
  }
  return undefined;
}

function nanosToIso(ns: bigint): string {
  return new Date(Number(ns / 1_000_000n)).toISOString();
}

function kindName(kind: number | string | undefined): SpanKind | undefined {
  if (typeof kind === 'number') return kind > 0 ? (KIND_NAMES[kind] as SpanKind | undefined) : undefined;
  if (typeof kind === 'string') {
    const name = kind.replace(/^SPAN_KIND_/, '').toLowerCase();
    return KIND_NAMES.includes(name) && name !== 'unspecified' ? (name as SpanKind) : undefined;
  }
  return undefined;
}

function statusOf(code: number | string | undefined): SpanStatus {
  if (code === 1 || code === 'STATUS_CODE_OK' || code === 'OK') return 'ok';
  if (code === 2 || code === 'STATUS_CODE_ERROR' || code === 'ERROR') return 'error';
  return 'unset';
}

/** KeyValue list → flat record; arrays and maps become JSON text, bytes base64. */
export function flattenAttributes(
  list: OtlpKeyValue[] | undefined,
): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const kv of list ?? []) {
    if (!kv || typeof kv.key !== 'string') continue;
    const value = scalarOf(kv.value);
    if (value !== undefined) out[kv.key] = value;
  }
  return out;
}

function scalarOf(v: OtlpAnyValue | undefined): string | number | boolean | undefined {
  if (!v || typeof v !== 'object') return undefined;
  if (v.stringValue !== undefined) return String(v.stringValue);
  if (v.boolValue !== undefined) return Boolean(v.boolValue);
  if (v.intValue !== undefined) {
    const n = Number(v.intValue);
    // int64 beyond 2^53 would silently change; keep the exact digits as text.
    return Number.isSafeInteger(n) ? n : String(v.intValue);
  }
  if (v.doubleValue !== undefined) {
    const n = Number(v.doubleValue);
    return Number.isFinite(n) ? n : String(v.doubleValue);
  }
  if (v.bytesValue !== undefined) return String(v.bytesValue);
  if (v.arrayValue !== undefined) return JSON.stringify((v.arrayValue.values ?? []).map(jsonOf));
  if (v.kvlistValue !== undefined) {
    return JSON.stringify(
      Object.fromEntries((v.kvlistValue.values ?? []).map((kv) => [kv.key, jsonOf(kv.value)])),
    );
  }
  return undefined;
}

function jsonOf(v: OtlpAnyValue | undefined): unknown {
  if (v?.arrayValue !== undefined) return (v.arrayValue.values ?? []).map(jsonOf);
  if (v?.kvlistValue !== undefined) {
    return Object.fromEntries((v.kvlistValue.values ?? []).map((kv) => [kv.key, jsonOf(kv.value)]));
  }
  return scalarOf(v) ?? null;
}
