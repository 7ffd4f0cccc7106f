import { ExitCode } from './exit-codes.js';
import { FiredrillError } from './firedrill-error.js';

/**
 * A bundle or packed bundle that is damaged, incomplete, unsafe to unpack or cannot be written where asked.
 * The message is one line per problem, so the CLI prints every finding and exits 1.
 */
export class BundleError extends FiredrillError {
  readonly problems: readonly string[];

  constructor(problems: string | readonly string[], options?: { cause?: unknown }) {
    const list = typeof problems === 'string' ? [problems] : problems;
    super(list.join('\n'), ExitCode.Failure, options);
    this.problems = list;
  }
}
