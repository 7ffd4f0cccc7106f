/** One HTTP request to the Kubernetes API server. */
export interface KubeRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS';
  /** Path below the server URL; may carry its own query string (`/proxy/api/v1/query?query=up`). */
  path: string;
  /** Appended to the path's query; undefined values are left out. */
  query?: Record<string, string | number | boolean | undefined>;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Default 30 s. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface KubeResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/**
 * Authenticated HTTP to one cluster's API server. The real one takes TLS and credentials from a
 * kubeconfig context (KubeConfigTransport); tests point it at a fake server on 127.0.0.1.
 */
export interface KubeTransport {
  /** The API server URL, for messages. */
  readonly server: string;
  /** Resolves with any HTTP status; rejects only when no answer came back (KubeApiError with status 0). */
  request(req: KubeRequest): Promise<KubeResponse>;
}
