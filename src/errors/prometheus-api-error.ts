import { ExitCode } from './exit-codes.js';
import { FiredrillError } from './firedrill-error.js';

/**
 * A Prometheus or Alertmanager HTTP API call failed: unreachable, an HTTP error, or `status: "error"`
 * in the body. Carries the URL asked and the API's own error text so the message is actionable.
 */
export class PrometheusApiError extends FiredrillError {
  readonly url: string;
  /** HTTP status, undefined when no response arrived. */
  readonly status: number | undefined;
  /** Prometheus' `errorType` (bad_data, timeout, execution...), when it gave one. */
  readonly errorType: string | undefined;
  readonly apiMessage: string;

  constructor(
    url: string,
    apiMessage: string,
    details: { status?: number; errorType?: string; cause?: unknown } = {},
  ) {
    const where = details.status !== undefined ? `HTTP ${details.status} from ${url}` : url;
    const kind = details.errorType ? `${details.errorType}: ` : '';
    super(`${where}: ${kind}${apiMessage}`, ExitCode.SubstrateError, { cause: details.cause });
    this.url = url;
    this.status = details.status;
    this.errorType = details.errorType;
    this.apiMessage = apiMessage;
  }
}
