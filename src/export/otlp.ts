import { join } from 'node:path';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { BundleHandle } from '../bundle/bundle-reader.js';
import { SnapshotFile } from '../bundle/layout.js';
import type { SpanRecord, Topology } from '../bundle/records.js';
import { STATUS_MESSAGE_ATTRIBUTE } from '../telemetry/otlp-normalize.js';
import type { ExportedFile, Exporter } from './exporter.js';
import { GROUND_TRUTH_FILE, writeGroundTruth } from './ground-truth-file.js';
import { writeLineFile } from './line-file.js';
import { podDeployments, podResource, spanKind, type SpanKindName } from './otel-mapping.js';

/**
 * `otlp`: the bundle's traces as OTLP/JSON, one `ExportTraceServiceRequest` per line (the protobuf JSON
 * mapping the OTLP/HTTP JSON encoding and the OpenTelemetry Collector's `otlpjsonfile` receiver read):
 *
 * ```
 * <dir>/traces.jsonl             {"resourceSpans": [{resource, scopeSpans: [{scope, spans}]}]} per line
 * <truthDir>/ground_truth.json
 * ```
 */
export const TRACES_FILE = 'traces.jsonl';
/** Spans per line: lines stay well under the 4 MiB a gRPC/HTTP receiver accepts by default. */
export const SPANS_PER_LINE = 1000;

type Scalar = string | number | boolean;
export interface OtlpKeyValue {
  key: string;
  value: { stringValue: string } | { boolValue: boolean } | { intValue: string } | { doubleValue: number };
}

/** OTLP's SpanKind enum (SPAN_KIND_INTERNAL = 1 …). */
const KIND_ENUM: Record<SpanKindName, number> = {
  Internal: 1,
  Server: 2,
  Client: 3,
  Producer: 4,
  Consumer: 5,
};
/** OTLP's Status.code: UNSET 0, OK 1, ERROR 2. */
const STATUS_ENUM: Record<SpanRecord['status'], number> = { unset: 0, ok: 1, error: 2 };

/** Integers as intValue (int64 goes as a decimal string in protobuf JSON), other numbers as doubles. */
export function keyValue(key: string, v: Scalar): OtlpKeyValue {
  if (typeof v === 'boolean') return { key, value: { boolValue: v } };
  if (typeof v === 'number')
    return Number.isSafeInteger(v)
      ? { key, value: { intValue: String(v) } }
      : { key, value: { doubleValue: v } };
  return { key, value: { stringValue: v } };
}

const keyValues = (attrs: Record<string, Scalar>): OtlpKeyValue[] =>
  Object.keys(attrs)
    .sort()
    .map((k) => keyValue(k, attrs[k]));

/** Unix nanoseconds as the decimal string protobuf JSON uses for fixed64. */
function nanos(isoTime: string, plusMs = 0): string {
  const ms = Date.parse(isoTime);
  // durationMs keeps microseconds; add them as integers so no float rounding reaches the last digits.
  return (BigInt(ms) * 1_000_000n + BigInt(Math.round(plusMs * 1_000_000))).toString();
}

/**
 * The span's resource: as captured, else (bundles from before it was kept) rebuilt from what the bundle
 * knows: service.name and the Kubernetes attributes of its pod.
 */
export function resourceOf(
  span: SpanRecord,
  deployments: ReadonlyMap<string, string>,
): Record<string, Scalar> {
  if (span.resource && Object.keys(span.resource).length > 0) return span.resource;
  return { [ATTR_SERVICE_NAME]: span.service, ...podResource(span.entity, null, deployments) };
}

/** One span in OTLP/JSON. The kind is a field again; `otel.status_description` goes back into status. */
export function otlpSpan(span: SpanRecord): Record<string, unknown> {
  const attributes = { ...span.attributes };
  const message = attributes[STATUS_MESSAGE_ATTRIBUTE];
  delete attributes[STATUS_MESSAGE_ATTRIBUTE];
  const kind = KIND_ENUM[spanKind(span)];
  const start = nanos(span.start);
  const out: Record<string, unknown> = {
    traceId: span.traceId,
    spanId: span.spanId,
    name: span.name,
    kind,
    startTimeUnixNano: start,
    endTimeUnixNano: (BigInt(start) + BigInt(Math.round(span.durationMs * 1_000_000))).toString(),
    attributes: keyValues(attributes),
    status: { code: STATUS_ENUM[span.status], ...(typeof message === 'string' ? { message } : {}) },
  };
  if (span.parentSpanId) out.parentSpanId = span.parentSpanId;
  return out;
}

/** Spans grouped by resource (same attributes, in order of first appearance), as one request. */
export function traceRequest(
  spans: readonly SpanRecord[],
  deployments: ReadonlyMap<string, string>,
): { resourceSpans: unknown[] } {
  const groups = new Map<string, { resource: Record<string, Scalar>; spans: unknown[] }>();
  for (const s of spans) {
    const resource = resourceOf(s, deployments);
    const key = JSON.stringify(keyValues(resource));
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { resource, spans: [] }));
    g.spans.push(otlpSpan(s));
  }
  return {
    resourceSpans: [...groups.values()].map((g) => ({
      resource: { attributes: keyValues(g.resource) },
      // The capture does not keep instrumentation scopes; one unnamed scope holds every span.
      scopeSpans: [{ scope: {}, spans: g.spans }],
    })),
  };
}

export const otlpExporter: Exporter = {
  id: 'otlp',
  description: 'traces as OTLP/JSON ExportTraceServiceRequest lines (OTel Collector otlpjsonfile, Jaeger v2)',
  async write(bundle: BundleHandle, dir: string, truthDir: string) {
    const topology = bundle.has(SnapshotFile.topology)
      ? await bundle.readJson<Topology>(SnapshotFile.topology)
      : { entities: [], edges: [] };
    const deployments = podDeployments(topology);
    let lines = 0;
    await writeLineFile(join(dir, TRACES_FILE), async (writeLine) => {
      let batch: SpanRecord[] = [];
      const flush = async (): Promise<void> => {
        if (batch.length === 0) return;
        await writeLine(JSON.stringify(traceRequest(batch, deployments)));
        lines++;
        batch = [];
      };
      if (bundle.has(SnapshotFile.traces))
        for await (const span of bundle.readNdjson<SpanRecord>(SnapshotFile.traces)) {
          batch.push(span);
          if (batch.length >= SPANS_PER_LINE) await flush();
        }
      await flush();
    });
    await writeGroundTruth(truthDir, await bundle.groundTruth());
    const files: ExportedFile[] = [{ path: TRACES_FILE, rows: lines }];
    return { files, truth: [{ path: GROUND_TRUTH_FILE, rows: 1 }] };
  },
};
