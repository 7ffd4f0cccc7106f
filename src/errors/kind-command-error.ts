import { ExitCode } from './exit-codes.js';
import { FiredrillError } from './firedrill-error.js';

/**
 * A `kind` command exited non-zero. The message ends with kind's last stderr lines, which say why
 * (node image pull failed, port taken, cluster already exists...).
 */
export class KindCommandError extends FiredrillError {
  /** The command line as run. */
  readonly command: string;
  /** kind's exit status (128 + n when killed by signal n). */
  readonly commandExitCode: number;
  readonly stderr: string;

  constructor(command: string, commandExitCode: number, stderr: string) {
    const tail = stderr.trim().split('\n').slice(-12);
    const shown = tail.length > 0 && tail[0] !== '' ? `\n${tail.map((l) => `  | ${l}`).join('\n')}` : '';
    super(`${command} failed with exit status ${commandExitCode}${shown}`, ExitCode.SubstrateError);
    this.command = command;
    this.commandExitCode = commandExitCode;
    this.stderr = stderr;
  }
}
