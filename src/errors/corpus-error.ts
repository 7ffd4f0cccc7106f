import { ExitCode } from './exit-codes.js';
import { FiredrillError } from './firedrill-error.js';

/**
 * A corpus cannot be built or merged as asked: a shard's bundle does not verify, two shards hold
 * different bundles under one id, an index is unreadable. The message names the paths involved.
 */
export class CorpusError extends FiredrillError {
  constructor(message: string | string[], options?: { cause?: unknown }) {
    super(Array.isArray(message) ? message.join('\n') : message, ExitCode.Failure, options);
  }
}
