import { ZERO_METRICS, type AttemptRecord, type Outcome } from '../records.js';

const empty = { bytes: 0, head: '', tail: '', omitted: 0 };

/** An attempt record for tests: `ap` sets apFullRecall and precisionAtFullRecall, AC@k follows. */
export function attemptRecord(
  scenarioId: string,
  bundleId: string,
  attempt: number,
  outcome: Outcome,
  ap = 0,
  extra: Partial<AttemptRecord> = {},
): AttemptRecord {
  return {
    key: `${bundleId}/${attempt}`,
    bundleId,
    scenarioId,
    bundleRepeat: 0,
    attempt,
    difficulty: null,
    tags: [],
    outcome,
    detail: '',
    exitCode: 0,
    signal: null,
    startedAt: '2030-01-01T00:00:00.000Z',
    wallMs: 1000 * (attempt + 1),
    overheadMs: 20,
    metrics: {
      ...ZERO_METRICS,
      apFullRecall: ap,
      precisionAtFullRecall: ap,
      acAt: {
        '1': ap === 1 ? 1 : 0,
        '2': ap > 0 ? 1 : 0,
        '3': ap > 0 ? 1 : 0,
        '4': ap > 0 ? 1 : 0,
        '5': ap > 0 ? 1 : 0,
      },
    },
    matched: [],
    unmatched: [],
    answer: null,
    warnings: [],
    stdout: empty,
    stderr: empty,
    leftovers: 0,
    snapshotChanged: [],
    shard: null,
    ...extra,
  };
}
