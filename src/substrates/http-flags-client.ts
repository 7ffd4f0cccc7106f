import type { FlagsApi } from '../platform/fault-target.js';
import { FiredrillError } from '../errors/firedrill-error.js';
import { ExitCode } from '../errors/exit-codes.js';

/** The settings service's HTTP API; the base URL is resolved per call (it may move between runs). */
export class HttpFlagsClient implements FlagsApi {
  constructor(
    private readonly baseUrl: () => Promise<string>,
    private readonly actor = 'operator',
  ) {}

  private async call(method: string, path: string, body?: unknown): Promise<void> {
    const url = `${await this.baseUrl()}${path}`;
    const res = await fetch(url, {
      method,
      headers: { 'content-type': 'application/json', 'x-actor': this.actor },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(5000),
    });
    const text = await res.text();
    if (!res.ok && !(method === 'DELETE' && res.status === 404)) {
      throw new FiredrillError(
        `settings service: ${method} ${url} answered ${res.status}: ${text.slice(0, 200)}`,
        ExitCode.SubstrateError,
      );
    }
  }

  set(key: string, value: unknown): Promise<void> {
    return this.call('PUT', `/flags/${encodeURIComponent(key)}`, value);
  }

  remove(key: string): Promise<void> {
    return this.call('DELETE', `/flags/${encodeURIComponent(key)}`);
  }

  clear(): Promise<void> {
    return this.call('DELETE', '/flags');
  }
}
