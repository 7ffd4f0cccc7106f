import { ExitCode } from './exit-codes.js';
import { FiredrillError } from './firedrill-error.js';

/** A short command could not be run at all (not found, not executable). A non-zero exit is not this. */
export class CommandNotRunError extends FiredrillError {
  readonly commandLine: string;
  /** errno code such as ENOENT or EACCES, when known. */
  readonly code: string | undefined;

  constructor(commandLine: string, code: string | undefined, why: string) {
    super(`cannot run ${commandLine}: ${why}`, ExitCode.Failure);
    this.commandLine = commandLine;
    this.code = code;
  }
}
