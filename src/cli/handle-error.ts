import { CommanderError } from 'commander';
import { ExitCode } from '../errors/exit-codes.js';
import { FiredrillError } from '../errors/firedrill-error.js';

/**
 * The one place errors become exit codes. Known errors print their message only (one line per problem);
 * anything else is a bug and prints its stack.
 */
export function exitCodeFor(
  err: unknown,
  write: (line: string) => void = (l) => process.stderr.write(l),
): number {
  if (err instanceof CommanderError) {
    // commander already printed its own message (or help); --help/--version exit 0.
    return err.exitCode === 0 ? ExitCode.Ok : ExitCode.InvalidInput;
  }
  if (err instanceof FiredrillError) {
    write(`firedrill: ${err.message}\n`);
    return err.exitCode;
  }
  const text = err instanceof Error ? (err.stack ?? err.message) : String(err);
  write(`firedrill: internal error: ${text}\n`);
  return ExitCode.Failure;
}
