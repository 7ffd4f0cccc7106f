import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../logging/logger.js';
import type { KubeTransport } from './kube-transport.js';

export interface ServiceTarget {
  namespace: string;
  service: string;
  /** Service port number or name. */
  port: number | string;
}

/** Request headers not passed on: connection-level ones and the caller's own credentials. */
const DROP_REQUEST = new Set([
  'host',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'content-length',
  'authorization',
  'proxy-authorization',
  'upgrade',
  'te',
  'trailer',
]);
const DROP_RESPONSE = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length']);

/** `/api/v1/namespaces/{ns}/services/{name}:{port}/proxy` — the API server's HTTP proxy to a Service. */
export function serviceProxyPath(t: ServiceTarget): string {
  return `/api/v1/namespaces/${encodeURIComponent(t.namespace)}/services/${encodeURIComponent(t.service)}:${encodeURIComponent(String(t.port))}/proxy`;
}

/**
 * A plain-HTTP listener on 127.0.0.1 that sends each request on to a Service through the API server's
 * service proxy, with the kubeconfig's credentials. Clients that only take a base URL (the Prometheus
 * client, the settings client, a browser) reach in-cluster HTTP services this way. The proxy targets the
 * Service, not a pod, so it keeps working when faults delete or restart pods, and it needs no
 * port-forward streams: only `services/proxy` permission and the API server's own TLS.
 * Bodies are buffered; fine for API calls, not meant for streaming.
 */
export class ServiceProxyForwarder {
  private constructor(
    private readonly server: http.Server,
    readonly target: ServiceTarget,
    readonly url: string,
  ) {}

  static async start(
    transport: KubeTransport,
    target: ServiceTarget,
    logger?: Logger,
  ): Promise<ServiceProxyForwarder> {
    const prefix = serviceProxyPath(target);
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(req.headers)) {
          if (v === undefined || DROP_REQUEST.has(k)) continue;
          headers[k] = Array.isArray(v) ? v.join(', ') : v;
        }
        const body = chunks.length > 0 ? Buffer.concat(chunks) : undefined;
        transport
          .request({
            method: (req.method ?? 'GET') as 'GET',
            path: `${prefix}${req.url ?? '/'}`,
            headers,
            body,
            timeoutMs: 60_000,
          })
          .then((answer) => {
            const out: Record<string, string | string[]> = {};
            for (const [k, v] of Object.entries(answer.headers)) {
              if (v !== undefined && !DROP_RESPONSE.has(k)) out[k] = v;
            }
            out['content-length'] = String(answer.body.length);
            res.writeHead(answer.status, out);
            res.end(answer.body);
          })
          .catch((err: unknown) => {
            logger?.debug({ err, target }, 'service proxy request failed');
            res.writeHead(502, { 'content-type': 'text/plain' });
            res.end(
              `firedrill: cannot reach ${target.namespace}/${target.service}: ${(err as Error).message}`,
            );
          });
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    return new ServiceProxyForwarder(server, target, `http://127.0.0.1:${port}`);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
