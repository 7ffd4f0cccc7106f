import { createWriteStream } from 'node:fs';
import { pino } from 'pino';
import type { RunLog } from '../run-corpus.js';

/** A run log that writes only to its file: tests that fail runs on purpose keep stderr clean. */
export function quietRunLog(file: string, bindings: Record<string, unknown>): RunLog {
  const stream = createWriteStream(file, { flags: 'w' });
  return {
    logger: pino({ level: 'debug', base: { app: 'firedrill' } }, stream).child(bindings),
    close: () => new Promise<void>((resolve) => stream.end(() => resolve())),
  };
}
