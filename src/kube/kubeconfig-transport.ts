import http from 'node:http';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { KubeApiError } from '../errors/kube-api-error.js';
import { InvalidInputError } from '../errors/invalid-input-error.js';
import type { KubeRequest, KubeResponse, KubeTransport } from './kube-transport.js';

/**
 * KubeTransport over node:http(s) with client-node's KubeConfig supplying the server, CA, client
 * certificates and credentials (tokens, exec plugins, OIDC) of its current context. Requests carry raw
 * JSON both ways: client-node's typed API classes would turn timestamps into Date objects and drop
 * fields its models do not know, and firedrill keeps objects as the server sent them.
 */
export class KubeConfigTransport implements KubeTransport {
  readonly server: string;

  constructor(private readonly kc: KubeConfig) {
    const cluster = kc.getCurrentCluster();
    if (!cluster) {
      throw new InvalidInputError(
        `kubeconfig context "${kc.getCurrentContext()}" names no cluster; check it with: kubectl config view --minify`,
      );
    }
    this.server = cluster.server.replace(/\/+$/, '');
  }

  async request(req: KubeRequest): Promise<KubeResponse> {
    const url = new URL(this.server + req.path);
    for (const [k, v] of Object.entries(req.query ?? {})) {
      if (v !== undefined) url.searchParams.append(k, String(v));
    }
    const headers: Record<string, string> = { accept: 'application/json', ...(req.headers ?? {}) };
    if (req.body !== undefined) headers['content-length'] = String(Buffer.byteLength(req.body));
    const opts: https.RequestOptions = { method: req.method, headers };
    try {
      // Sets the agent (CA, client certificate, skip-verify) and the Authorization header.
      await this.kc.applyToHTTPSOptions(opts);
    } catch (err) {
      throw new KubeApiError(
        req.method,
        req.path,
        0,
        `cannot prepare credentials: ${(err as Error).message}`,
        undefined,
        { cause: err },
      );
    }
    const send = url.protocol === 'http:' ? http.request : https.request;
    const timeoutMs = req.timeoutMs ?? 30_000;
    return new Promise<KubeResponse>((resolve, reject) => {
      const fail = (err: Error): void =>
        reject(
          new KubeApiError(req.method, req.path, 0, `${this.server}: ${err.message}`, undefined, {
            cause: err,
          }),
        );
      const r = send(url, { ...opts, signal: req.signal }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', fail);
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
      });
      r.setTimeout(timeoutMs, () => r.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      r.on('error', fail);
      if (req.body !== undefined) r.write(req.body);
      r.end();
    });
  }
}
