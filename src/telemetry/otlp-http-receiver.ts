import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { gunzip, inflate } from 'node:zlib';
import type { Logger } from '../logging/logger.js';
import { normalizeOtlpJsonDetailed, type NormalizeOptions } from './otlp-normalize.js';
import { SpanStore, type SpanSink } from './span-store.js';

const gunzipAsync = promisify(gunzip);
const inflateAsync = promisify(inflate);

export interface OtlpReceiverOptions {
  host?: string;
  /** Default 0: the OS picks a free port (no race, unlike probing first). */
  port?: number;
  /** Where spans go; default a new SpanStore. */
  store?: SpanStore;
  /** Extra sinks, e.g. a live trace file. */
  sinks?: readonly SpanSink[];
  /** Largest accepted request body (after decompression); default 32 MiB. */
  maxBodyBytes?: number;
  normalize?: NormalizeOptions;
  logger?: Logger;
}

export interface OtlpReceiverStats {
  requests: number;
  acceptedSpans: number;
  rejectedSpans: number;
  /** Requests answered 4xx. */
  refusedRequests: number;
}

export const PROTOBUF_REFUSAL =
  "firedrill's OTLP receiver accepts OTLP/HTTP JSON only (Content-Type: application/json). " +
  'Set OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=http/json, or use @opentelemetry/exporter-trace-otlp-http ' +
  '(not -proto or -grpc).';

/**
 * An OTLP/HTTP trace endpoint (POST /v1/traces, JSON, optionally gzip) on loopback: the local
 * substrate's stand-in for Jaeger. Spans are normalised on arrival into the SpanStore.
 */
export class OtlpHttpReceiver {
  readonly store: SpanStore;
  readonly host: string;
  readonly port: number;
  private readonly server: Server;
  private readonly counters: OtlpReceiverStats;

  private constructor(
    server: Server,
    store: SpanStore,
    host: string,
    port: number,
    counters: OtlpReceiverStats,
  ) {
    this.server = server;
    this.counters = counters;
    this.store = store;
    this.host = host;
    this.port = port;
  }

  static async start(opts: OtlpReceiverOptions = {}): Promise<OtlpHttpReceiver> {
    const host = opts.host ?? '127.0.0.1';
    const store = opts.store ?? new SpanStore();
    const sinks: SpanSink[] = [store, ...(opts.sinks ?? [])];
    const maxBody = opts.maxBodyBytes ?? 32 * 1024 * 1024;
    const counters: OtlpReceiverStats = {
      requests: 0,
      acceptedSpans: 0,
      rejectedSpans: 0,
      refusedRequests: 0,
    };
    const server = createServer((req, res) => {
      void handle(req, res, {
        sinks,
        maxBody,
        normalize: opts.normalize ?? {},
        logger: opts.logger,
        stats: counters,
      });
    });
    // Exporters keep connections alive; a short idle timeout lets close() finish promptly.
    server.keepAliveTimeout = 5000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return new OtlpHttpReceiver(server, store, host, (server.address() as AddressInfo).port, counters);
  }

  /** Base URL, for OTEL_EXPORTER_OTLP_ENDPOINT (exporters append /v1/traces). */
  get url(): string {
    return `http://${this.host}:${this.port}`;
  }

  /** Full traces URL, for OTEL_EXPORTER_OTLP_TRACES_ENDPOINT. */
  get tracesUrl(): string {
    return `${this.url}/v1/traces`;
  }

  get stats(): OtlpReceiverStats {
    return { ...this.counters };
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

interface HandlerContext {
  sinks: SpanSink[];
  maxBody: number;
  normalize: NormalizeOptions;
  logger: Logger | undefined;
  stats: OtlpReceiverStats;
}

async function handle(req: IncomingMessage, res: ServerResponse, ctx: HandlerContext): Promise<void> {
  const stats = ctx.stats;
  stats.requests++;
  const refuse = (status: number, message: string): void => {
    stats.refusedRequests++;
    // Drain what the client is still sending so it reads our answer instead of a reset.
    req.resume();
    send(res, status, 'text/plain; charset=utf-8', `${message}\n`);
  };
  const path = (req.url ?? '').split('?')[0];
  if (path !== '/v1/traces')
    return refuse(404, `no such endpoint ${path}; POST OTLP/JSON traces to /v1/traces`);
  if (req.method !== 'POST') {
    res.setHeader('Allow', 'POST');
    return refuse(405, 'use POST');
  }
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (type === 'application/x-protobuf' || type === 'application/protobuf')
    return refuse(415, PROTOBUF_REFUSAL);
  if (type !== 'application/json')
    return refuse(415, `unsupported Content-Type "${type}"; ${PROTOBUF_REFUSAL}`);
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (!['identity', 'gzip', 'deflate'].includes(encoding)) {
    return refuse(415, `unsupported Content-Encoding "${encoding}"; send gzip or none`);
  }

  let raw: Buffer;
  try {
    raw = await readBody(req, ctx.maxBody);
  } catch (err) {
    return refuse(413, (err as Error).message);
  }
  let text: string;
  try {
    const body =
      encoding === 'gzip' ? await gunzipAsync(raw) : encoding === 'deflate' ? await inflateAsync(raw) : raw;
    if (body.length > ctx.maxBody)
      return refuse(413, `body larger than ${ctx.maxBody} bytes after decompression`);
    text = body.toString('utf8');
  } catch (err) {
    return refuse(400, `cannot decompress ${encoding} body: ${(err as Error).message}`);
  }
  let payload: unknown;
  try {
    payload = JSON.parse(text);
  } catch (err) {
    return refuse(400, `body is not JSON: ${(err as Error).message}`);
  }
  if (!payload || typeof payload !== 'object' || Array.isArray(payload)) {
    return refuse(400, 'body is not an ExportTraceServiceRequest object');
  }

  const result = normalizeOtlpJsonDetailed(payload, ctx.normalize);
  for (const sink of ctx.sinks) {
    try {
      sink.add(result.spans);
    } catch (err) {
      ctx.logger?.warn({ err }, 'span sink failed');
    }
  }
  stats.acceptedSpans += result.spans.length;
  stats.rejectedSpans += result.rejected;
  if (result.rejected > 0) {
    ctx.logger?.debug({ rejected: result.rejected, problems: result.problems }, 'OTLP spans rejected');
    // ExportTraceServiceResponse.partial_success: the exporter logs it, and does not retry.
    const partial = {
      partialSuccess: { rejectedSpans: String(result.rejected), errorMessage: result.problems.join('; ') },
    };
    return send(res, 200, 'application/json', JSON.stringify(partial));
  }
  send(res, 200, 'application/json', '{}');
}

function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > max) {
        failed = true;
        reject(new Error(`body larger than ${max} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!failed) resolve(Buffer.concat(chunks));
    });
    req.on('error', (err) => {
      if (!failed) reject(err);
    });
  });
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}
