import https from 'node:https';

export interface HttpsGetOptions {
  /** PEM of the CA to trust; omit together with `insecure` for a self-signed loopback endpoint. */
  ca?: string;
  /** Skip certificate checks: only for a component's self-signed health endpoint on loopback. */
  insecure?: boolean;
  token?: string;
  signal?: AbortSignal;
  /** Default 5 s. */
  timeoutMs?: number;
}

export interface HttpsGetResult {
  status: number;
  body: string;
}

/**
 * One GET over TLS with a custom CA (fetch() cannot take one without undici's dispatcher API): health
 * probes of control-plane components while they start, before any kubeconfig client makes sense.
 */
export function httpsGet(url: string, opts: HttpsGetOptions = {}): Promise<HttpsGetResult> {
  return new Promise<HttpsGetResult>((resolve, reject) => {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    const req = https.request(
      url,
      {
        method: 'GET',
        headers,
        ca: opts.ca,
        rejectUnauthorized: !opts.insecure,
        signal: opts.signal,
        // A fresh connection per probe: a pooled one to a restarted component would fail spuriously.
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
      },
    );
    const timeoutMs = opts.timeoutMs ?? 5000;
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`${url}: no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}
