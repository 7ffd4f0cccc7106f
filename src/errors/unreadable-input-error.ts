import { ExitCode } from './exit-codes.js';
import { FiredrillError } from './firedrill-error.js';

/** An input file exists but cannot be read or does not parse (a ground truth, a bundle manifest). */
export class UnreadableInputError extends FiredrillError {
  readonly path: string;

  constructor(path: string, why: string, options?: { cause?: unknown }) {
    super(`${path}: ${why}`, ExitCode.Failure, options);
    this.path = path;
  }
}
