import {
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_ROUTE,
  ATTR_K8S_CONTAINER_NAME,
  ATTR_K8S_DEPLOYMENT_NAME,
  ATTR_K8S_NAMESPACE_NAME,
  ATTR_K8S_POD_NAME,
  ATTR_SERVER_ADDRESS,
  ATTR_URL_FULL,
} from '@opentelemetry/semantic-conventions';
// Incubating only: peer.service, and the older db.system and http.method that other instrumentations
// still send.
import {
  ATTR_DB_SYSTEM,
  ATTR_HTTP_METHOD,
  ATTR_PEER_SERVICE,
} from '@opentelemetry/semantic-conventions/incubating';
import type { LogRecord, SpanRecord, Topology } from '../bundle/records.js';
import { tryParseEntityId } from '../entities/entity-id.js';
import { SPAN_KIND_ATTRIBUTE } from '../telemetry/otlp-normalize.js';

/** What an OTel log record carries that firedrill's LogRecord keeps inside the raw line. */
export interface LogFields {
  severityText: string;
  /** OTel SeverityNumber (INFO 9, WARN 13, ERROR 17, FATAL 21); 0 when unknown. */
  severityNumber: number;
  traceId: string;
  spanId: string;
  /** The `service` a JSON line names, else ''. */
  service: string;
}

const SEVERITY: Record<string, [string, number]> = {
  trace: ['TRACE', 1],
  debug: ['DEBUG', 5],
  info: ['INFO', 9],
  warn: ['WARN', 13],
  warning: ['WARN', 13],
  error: ['ERROR', 17],
  fatal: ['FATAL', 21],
};

/** pino's numeric levels (10 trace … 60 fatal). */
function pinoLevel(n: number): [string, number] {
  if (n >= 60) return SEVERITY.fatal;
  if (n >= 50) return SEVERITY.error;
  if (n >= 40) return SEVERITY.warn;
  if (n >= 30) return SEVERITY.info;
  if (n >= 20) return SEVERITY.debug;
  return SEVERITY.trace;
}

/**
 * Severity, trace context and service of a log line: read from a JSON line (`level`, `trace_id`,
 * `span_id`, `service`, as the shop's pino logs carry them), else ERROR for stderr and nothing known
 * for plain stdout text.
 */
export function logFields(log: Pick<LogRecord, 'line' | 'stream'>): LogFields {
  const out: LogFields = { severityText: '', severityNumber: 0, traceId: '', spanId: '', service: '' };
  if (log.line.startsWith('{')) {
    try {
      const doc = JSON.parse(log.line) as Record<string, unknown>;
      const level = doc.level ?? doc.severity;
      const sev =
        typeof level === 'number'
          ? pinoLevel(level)
          : typeof level === 'string'
            ? SEVERITY[level.toLowerCase()]
            : undefined;
      if (sev) [out.severityText, out.severityNumber] = sev;
      const str = (v: unknown): string => (typeof v === 'string' ? v : '');
      out.traceId = str(doc.trace_id ?? doc.traceId);
      out.spanId = str(doc.span_id ?? doc.spanId);
      out.service = str(doc.service);
    } catch {
      // plain text after all
    }
  }
  if (out.severityText === '' && log.stream === 'stderr')
    [out.severityText, out.severityNumber] = SEVERITY.error;
  return out;
}

/** Pod id → owning Deployment name, through the topology's owns edges (Deployment → ReplicaSet → Pod). */
export function podDeployments(topology: Topology): Map<string, string> {
  const ownerOf = new Map<string, string>();
  for (const e of topology.edges) if (e.type === 'owns') ownerOf.set(e.to, e.from);
  const out = new Map<string, string>();
  for (const ent of topology.entities) {
    if (ent.kind !== 'Pod') continue;
    for (let cur = ownerOf.get(ent.id), hops = 0; cur && hops < 4; cur = ownerOf.get(cur), hops++) {
      const p = tryParseEntityId(cur);
      if (p.ok && p.ref.kind === 'Deployment') {
        out.set(ent.id, p.ref.name);
        break;
      }
    }
  }
  return out;
}

/** Kubernetes resource attributes (OTel semantic conventions) of the pod an entity id names. */
export function podResource(
  entity: string | null,
  container: string | null,
  deployments: ReadonlyMap<string, string>,
): Record<string, string> {
  const attrs: Record<string, string> = {};
  if (!entity) return attrs;
  const p = tryParseEntityId(entity);
  if (!p.ok) return attrs;
  if (p.ref.namespace) attrs[ATTR_K8S_NAMESPACE_NAME] = p.ref.namespace;
  if (p.ref.kind === 'Pod') attrs[ATTR_K8S_POD_NAME] = p.ref.name;
  const deployment = deployments.get(p.id);
  if (deployment) attrs[ATTR_K8S_DEPLOYMENT_NAME] = deployment;
  if (container) attrs[ATTR_K8S_CONTAINER_NAME] = container;
  return attrs;
}

const KINDS: Record<string, SpanKindName> = {
  client: 'Client',
  server: 'Server',
  internal: 'Internal',
  producer: 'Producer',
  consumer: 'Consumer',
};

export type SpanKindName = 'Client' | 'Server' | 'Internal' | 'Producer' | 'Consumer';

/**
 * The span kind: the captured `kind` field, else the `span.kind` attribute the shop records (bundles
 * captured before the field was kept); without either it is inferred from OTel
 * HTTP/DB attributes: a span with a target (`url.full`, `server.address`, `peer.service`, `db.system`)
 * is a client call, one with a route or a request method a server span, anything else internal.
 */
export function spanKind(span: Pick<SpanRecord, 'attributes' | 'kind'>): SpanKindName {
  if (span.kind && KINDS[span.kind]) return KINDS[span.kind];
  const a = span.attributes ?? {};
  const declared = a[SPAN_KIND_ATTRIBUTE];
  if (typeof declared === 'string' && KINDS[declared.toLowerCase()]) return KINDS[declared.toLowerCase()];
  if ([ATTR_URL_FULL, ATTR_SERVER_ADDRESS, ATTR_PEER_SERVICE, ATTR_DB_SYSTEM].some((k) => k in a))
    return 'Client';
  if ([ATTR_HTTP_ROUTE, ATTR_HTTP_REQUEST_METHOD, ATTR_HTTP_METHOD].some((k) => k in a)) return 'Server';
  return 'Internal';
}

/** OTel's status names as the ClickHouse exporter writes them. */
export function statusCodeName(status: SpanRecord['status']): 'Unset' | 'Ok' | 'Error' {
  return status === 'error' ? 'Error' : status === 'ok' ? 'Ok' : 'Unset';
}
