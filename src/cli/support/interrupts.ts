import { InterruptedError } from '../../errors/interrupted-error.js';
import { holdGracefulInterrupts } from '../../util/graceful-interrupts.js';

/**
 * First SIGINT/SIGTERM aborts the run gracefully (faults recovered, processes stopped, no bundle);
 * a second one exits at once (the process registry still kills every child on exit).
 */
export function abortOnSignals(
  onFirst?: (sig: string) => void,
  what = 'recovering faults and stopping',
): { signal: AbortSignal; dispose(): void } {
  const ctl = new AbortController();
  let count = 0;
  const handler = (sig: NodeJS.Signals): void => {
    count++;
    if (count === 1) {
      process.stderr.write(`\nfiredrill: ${sig}: ${what} (again to force)\n`);
      onFirst?.(sig);
      ctl.abort(new InterruptedError(sig));
    } else {
      process.exit(130);
    }
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  const release = holdGracefulInterrupts();
  return {
    signal: ctl.signal,
    dispose: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
      release();
    },
  };
}
