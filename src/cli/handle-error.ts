import { CommanderError } from 'commander';
import { ExitCode } from '../errors/exit-codes.js';
import { FiredrillError } from '../errors/firedrill-error.js';
import { escapeMessage } from '../util/escape-text.js';

/**
 * The one place errors become exit codes. Known errors print their message only (one line per problem);
 * anything else is a bug and prints its stack. Messages quote inputs (entry names, ids, paths), so
 * control characters in them are escaped before they reach the terminal.
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
    write(`firedrill: ${escapeMessage(err.message)}\n`);
    return err.exitCode;
  }
  // The file system refusing something (a full disk, no permission, a path that vanished) is the
  // environment, not a bug: its message says what and where, and a stack would only bury it.
  const e = err as NodeJS.ErrnoException;
  if (err instanceof Error && typeof e.code === 'string' && typeof e.syscall === 'string') {
    write(`firedrill: ${escapeMessage(e.message)}\n`);
    return ExitCode.Failure;
  }
  const text = err instanceof Error ? (err.stack ?? err.message) : String(err);
  write(`firedrill: internal error: ${escapeMessage(text)}\n`);
  return ExitCode.Failure;
}
