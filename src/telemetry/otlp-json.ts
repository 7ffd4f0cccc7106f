/**
 * The subset of OTLP/JSON (opentelemetry-proto, trace/v1) that firedrill reads. Field spellings
 * differ by producer, so the types stay loose where producers disagree:
 * - ids: hex strings per the OTLP/JSON spec (the JS exporter), base64 from protojson (Jaeger's api/v3);
 * - 64-bit times and ints: decimal strings, numbers, or {low, high} from old JS exporters;
 * - enums (kind, status code): integers per spec, names like "SPAN_KIND_SERVER" from protojson.
 */
export interface OtlpTracesPayload {
  resourceSpans?: OtlpResourceSpans[];
}

export interface OtlpResourceSpans {
  resource?: { attributes?: OtlpKeyValue[] };
  scopeSpans?: OtlpScopeSpans[];
  /** Pre-1.0 name of scopeSpans. */
  instrumentationLibrarySpans?: OtlpScopeSpans[];
}

export interface OtlpScopeSpans {
  scope?: { name?: string; version?: string };
  spans?: OtlpSpan[];
}

export type OtlpLong = string | number | { low: number; high: number };

export interface OtlpSpan {
  traceId?: string;
  spanId?: string;
  parentSpanId?: string;
  name?: string;
  kind?: number | string;
  startTimeUnixNano?: OtlpLong;
  endTimeUnixNano?: OtlpLong;
  attributes?: OtlpKeyValue[];
  status?: { code?: number | string; message?: string };
}

export interface OtlpKeyValue {
  key: string;
  value?: OtlpAnyValue;
}

export interface OtlpAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string | number;
  doubleValue?: number | string;
  bytesValue?: string;
  arrayValue?: { values?: OtlpAnyValue[] };
  kvlistValue?: { values?: OtlpKeyValue[] };
}
