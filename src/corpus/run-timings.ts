import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { RunOutcome } from '../runner/run-scenario.js';
import type { RunTimings } from './corpus-index.js';

/** The index's view of a run's timings. */
export function timingsOf(outcome: Pick<RunOutcome, 'timings' | 'overheadMs'>): RunTimings {
  const wallMs = Object.values(outcome.timings).reduce((a, b) => a + b, 0);
  return {
    phases: { ...outcome.timings },
    wallMs,
    overheadMs: outcome.overheadMs,
    waitingMs: Math.max(0, wallMs - outcome.overheadMs),
  };
}

/**
 * The outcome a run logged (`{"outcome": {...}, "msg": "run finished"}` in `<bundleId>.log.ndjson`), for
 * bundles a resumed or merged corpus did not run itself. The last such line wins; null when none.
 */
export async function outcomeFromRunLog(
  file: string,
): Promise<Pick<RunOutcome, 'timings' | 'overheadMs' | 'firedAlerts' | 'manifested'> | null> {
  let found: Pick<RunOutcome, 'timings' | 'overheadMs' | 'firedAlerts' | 'manifested'> | null = null;
  try {
    const rl = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
    for await (const line of rl) {
      if (!line.includes('"outcome"')) continue;
      try {
        const rec = JSON.parse(line) as { outcome?: Partial<RunOutcome> };
        const o = rec.outcome;
        if (o && typeof o.timings === 'object' && o.timings !== null && typeof o.overheadMs === 'number')
          found = {
            timings: o.timings,
            overheadMs: o.overheadMs,
            firedAlerts: Array.isArray(o.firedAlerts) ? o.firedAlerts : [],
            manifested: o.manifested === true,
          };
      } catch {
        // a torn last line of a killed run: ignore it
      }
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  return found;
}
