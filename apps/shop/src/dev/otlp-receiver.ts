import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';

/** One received span, flattened from OTLP/JSON. */
export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  service: string;
  name: string;
  /** OTLP SpanKind number: 1 internal, 2 server, 3 client. */
  kind: number;
  startUnixNano: string;
  endUnixNano: string;
  /** OTLP status code: 0 unset, 1 ok, 2 error. */
  statusCode: number;
  attributes: Record<string, string | number | boolean>;
  resource: Record<string, string | number | boolean>;
}

export interface OtlpReceiver {
  /** Full traces URL for OTEL_EXPORTER_OTLP_TRACES_ENDPOINT. */
  endpoint: string;
  /** The newest spans (at most maxSpans). */
  spans: ReceivedSpan[];
  /** Spans received since start, including any no longer kept. */
  readonly total: number;
  close(): Promise<void>;
}

interface AnyValue {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
}
interface KeyValue {
  key: string;
  value?: AnyValue;
}

function attrs(list: KeyValue[] | undefined): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const kv of list ?? []) {
    const v = kv.value ?? {};
    if (v.stringValue !== undefined) out[kv.key] = v.stringValue;
    else if (v.intValue !== undefined) out[kv.key] = Number(v.intValue);
    else if (v.doubleValue !== undefined) out[kv.key] = v.doubleValue;
    else if (v.boolValue !== undefined) out[kv.key] = v.boolValue;
  }
  return out;
}

/** OTLP/JSON says hex ids; some exporters send base64. Normalize to lower-case hex. */
function hexId(id: string | undefined, bytes: number): string {
  if (!id) return '';
  if (id.length === bytes * 2 && /^[0-9a-fA-F]+$/.test(id)) return id.toLowerCase();
  return Buffer.from(id, 'base64').toString('hex');
}

/** Parses an ExportTraceServiceRequest (JSON encoding) into flat spans. */
export function parseOtlpJson(doc: unknown): ReceivedSpan[] {
  const out: ReceivedSpan[] = [];
  const rs = (doc as { resourceSpans?: unknown[] }).resourceSpans ?? [];
  for (const r of rs as Array<{
    resource?: { attributes?: KeyValue[] };
    scopeSpans?: Array<{ spans?: unknown[] }>;
  }>) {
    const resource = attrs(r.resource?.attributes);
    const service = String(resource[ATTR_SERVICE_NAME] ?? 'unknown');
    for (const ss of r.scopeSpans ?? []) {
      for (const s of (ss.spans ?? []) as Array<Record<string, unknown>>) {
        out.push({
          traceId: hexId(s.traceId as string, 16),
          spanId: hexId(s.spanId as string, 8),
          parentSpanId: hexId(s.parentSpanId as string | undefined, 8),
          service,
          name: String(s.name ?? ''),
          kind: Number(s.kind ?? 0),
          startUnixNano: String(s.startTimeUnixNano ?? '0'),
          endUnixNano: String(s.endTimeUnixNano ?? '0'),
          statusCode: Number((s.status as { code?: number } | undefined)?.code ?? 0),
          attributes: attrs(s.attributes as KeyValue[] | undefined),
          resource,
        });
      }
    }
  }
  return out;
}

/** A minimal OTLP/HTTP JSON traces endpoint on loopback that keeps every span in memory. */
export async function startOtlpReceiver(maxSpans = 200_000): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  let total = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || !req.url?.startsWith('/v1/traces')) {
        res.writeHead(404).end();
        return;
      }
      if (!(req.headers['content-type'] ?? '').includes('json')) {
        res
          .writeHead(415, { 'content-type': 'application/json' })
          .end('{"error":"only OTLP/JSON is accepted"}');
        return;
      }
      try {
        let body = Buffer.concat(chunks);
        if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
        const received = parseOtlpJson(JSON.parse(body.toString('utf8')));
        total += received.length;
        for (const s of received) spans.push(s);
        if (spans.length > maxSpans) spans.splice(0, spans.length - maxSpans);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      } catch (err) {
        res
          .writeHead(400, { 'content-type': 'application/json' })
          .end(JSON.stringify({ error: (err as Error).message }));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `http://127.0.0.1:${port}/v1/traces`,
    spans,
    get total() {
      return total;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
