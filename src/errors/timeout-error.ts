import { ExitCode } from './exit-codes.js';
import { FiredrillError } from './firedrill-error.js';

/** Something awaited did not happen in time; the message names what, the limit and what was still missing. */
export class TimeoutError extends FiredrillError {
  readonly what: string;
  readonly limitMs: number;
  readonly pending: readonly string[];

  constructor(what: string, limitMs: number, pending: readonly string[] = []) {
    const tail = pending.length > 0 ? `; still waiting for: ${pending.join(', ')}` : '';
    super(`timed out after ${limitMs} ms waiting for ${what}${tail}`, ExitCode.SubstrateError);
    this.what = what;
    this.limitMs = limitMs;
    this.pending = pending;
  }
}
