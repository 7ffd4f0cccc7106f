import { createWriteStream } from 'node:fs';
import { createLogger, type Logger } from '../logging/logger.js';

/** A logger writing the JSON run log beside a bundle; close() flushes it. */
export interface RunLog {
  logger: Logger;
  close(): Promise<void>;
}

/** A pino logger writing every record to `file` (and, as every logger, progress-level lines to stderr). */
export function fileRunLog(file: string, bindings: Record<string, unknown>): RunLog {
  const stream = createWriteStream(file, { flags: 'w' });
  return {
    logger: createLogger({ extra: [stream] }).child(bindings),
    close: () => new Promise<void>((resolve) => stream.end(() => resolve())),
  };
}
