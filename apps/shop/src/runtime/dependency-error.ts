/**
 * A call to a dependency (another service or Redis) that failed: connection refused, timed out, or answered
 * 5xx. `code` is what an operator greps for: ECONNREFUSED, ETIMEDOUT, ECONNRESET, WRONGPASS, HTTP_503...
 */
export class DependencyError extends Error {
  readonly dependency: string;
  readonly code: string;
  /** HTTP status the dependency answered with, when it answered at all. */
  readonly upstreamStatus: number | undefined;

  constructor(dependency: string, code: string, message: string, upstreamStatus?: number) {
    super(message);
    this.name = 'DependencyError';
    this.dependency = dependency;
    this.code = code;
    this.upstreamStatus = upstreamStatus;
  }

  /** The status a caller answers with when this dependency failed underneath it. */
  get proxyStatus(): number {
    if (this.code === 'ETIMEDOUT') return 504;
    if (this.upstreamStatus !== undefined) return 502;
    return 503;
  }
}
