/** A handler's deliberate non-2xx answer; the message is returned to the caller as `{"error": message}`. */
export class HttpError extends Error {
  readonly status: number;

  constructor(status: number, message: string) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
  }
}
