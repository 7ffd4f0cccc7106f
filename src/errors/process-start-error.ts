import { ExitCode } from './exit-codes.js';
import { FiredrillError } from './firedrill-error.js';

/**
 * A child process could not be started, or it exited or never became ready while starting. The
 * message ends with the child's last output lines, which usually say why (bad flag, port taken).
 */
export class ProcessStartError extends FiredrillError {
  readonly processName: string;
  /** The last lines the process wrote, oldest first. */
  readonly output: readonly string[];

  constructor(
    processName: string,
    why: string,
    output: readonly string[] = [],
    options?: { cause?: unknown },
  ) {
    const tail = output.length > 0 ? `\n${output.map((l) => `  | ${l}`).join('\n')}` : '';
    super(`cannot start ${processName}: ${why}${tail}`, ExitCode.SubstrateError, options);
    this.processName = processName;
    this.output = output;
  }

  /** The process lost the race for its port (another process bound it after we picked it). */
  get addressInUse(): boolean {
    return this.output.some((l) => /address already in use/i.test(l));
  }
}
