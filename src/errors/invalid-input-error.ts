import { ExitCode } from './exit-codes.js';
import { FiredrillError } from './firedrill-error.js';

/** Bad command-line input or a bad value outside a scenario file (an entity id on the command line, a flag). */
export class InvalidInputError extends FiredrillError {
  constructor(message: string) {
    super(message, ExitCode.InvalidInput);
  }
}
