import { ExitCode } from './exit-codes.js';
import { FiredrillError } from './firedrill-error.js';

export class InterruptedError extends FiredrillError {
  readonly signal: string;
  constructor(signal: string) {
    super(`interrupted by ${signal}`, ExitCode.Interrupted);
    this.signal = signal;
  }
}
