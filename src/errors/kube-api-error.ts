import { ExitCode } from './exit-codes.js';
import { FiredrillError } from './firedrill-error.js';

/**
 * The Kubernetes API server refused a request or could not be reached. `status` is the HTTP status
 * (0 when no answer came back) and `reason` the Status object's reason (NotFound, Conflict, Forbidden...).
 */
export class KubeApiError extends FiredrillError {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly reason: string | undefined;

  constructor(
    method: string,
    path: string,
    status: number,
    detail: string,
    reason?: string,
    options?: { cause?: unknown },
  ) {
    const what = status === 0 ? 'no answer' : `${status}${reason ? ` ${reason}` : ''}`;
    super(`Kubernetes API ${method} ${path}: ${what}: ${detail}`, ExitCode.SubstrateError, options);
    this.method = method;
    this.path = path;
    this.status = status;
    this.reason = reason;
  }
}
