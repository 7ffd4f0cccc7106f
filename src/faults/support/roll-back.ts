import type { Logger } from '../../logging/logger.js';
import type { Undo } from '../fault-type.js';

/**
 * Runs the changing steps of an injection and returns `undo`. The caller only receives an Undo when
 * `inject` returns, so when a step throws, whatever the earlier steps changed is taken back here before
 * the error propagates: a failed injection leaves the system as it found it.
 */
export async function injectOrRollBack(
  logger: Logger,
  undo: Undo,
  steps: () => Promise<unknown>,
): Promise<Undo> {
  try {
    await steps();
    return undo;
  } catch (err) {
    try {
      await undo.undo();
    } catch (undoErr) {
      // The injection error is the one to report; the failed rollback must not hide it.
      logger.error({ err: undoErr }, `rolling back a failed injection failed: ${undo.description}`);
    }
    throw err;
  }
}

/** Runs every step even when one fails (one broken restore must not skip the others), then throws the first error. */
export async function runAll(steps: ReadonlyArray<() => Promise<unknown>>): Promise<void> {
  const errors: unknown[] = [];
  for (const step of steps) {
    try {
      await step();
    } catch (err) {
      errors.push(err);
    }
  }
  if (errors.length > 0) throw errors[0];
}
