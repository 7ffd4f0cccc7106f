import type { MetricSeries } from '../bundle/records.js';
import { HistoryShift } from './history-shift.js';

const RESET = Date.parse('2026-12-06T16:00:00Z');
const WARMUP = Date.parse('2026-12-06T16:00:30Z');
const DAY = 86_400_000;
const shift = new HistoryShift(RESET, WARMUP, { appAgeMs: 2 * DAY, clusterAgeMs: 30 * DAY });

describe('HistoryShift', () => {
  it("moves the app's times by its age, older ones by the cluster's too, and leaves the warmup on alone", () => {
    expect(shift.text('2026-12-06T16:00:10Z')).toBe('2026-12-04T16:00:10Z');
    expect(shift.text('2026-12-06T15:12:00Z')).toBe('2026-11-04T15:12:00Z');
    expect(shift.text('2026-12-06T16:00:30Z')).toBe('2026-12-06T16:00:30Z');
    expect(shift.text('2026-12-06T16:05:00.123Z')).toBe('2026-12-06T16:05:00.123Z');
  });

  it("reads an object's whole-second time in the second its phase began as that phase's", () => {
    const s = new HistoryShift(RESET + 400, WARMUP + 20, { appAgeMs: 2 * DAY, clusterAgeMs: 30 * DAY });
    expect(s.text('2026-12-06T16:00:00Z')).toBe('2026-12-04T16:00:00Z');
    expect(s.text('2026-12-06T16:00:30Z')).toBe('2026-12-06T16:00:30Z');
    expect(s.text('2026-12-06T15:59:59Z')).toBe('2026-11-04T15:59:59Z');
  });

  it("leaves a node's heartbeat as it was: a report of the present, not of when something happened", () => {
    expect(shift.text('2026-12-06T15:58:00Z', 'lastHeartbeatTime')).toBe('2026-12-06T15:58:00Z');
    expect(shift.text('2026-12-06T15:58:00Z', 'lastTransitionTime')).toBe('2026-11-04T15:58:00Z');
  });

  it('keeps the precision a time was written with, micro- and milliseconds included', () => {
    expect(shift.text('at 2026-12-06T16:00:10.250Z')).toBe('at 2026-12-04T16:00:10.250Z');
    expect(shift.text('2026-12-06T16:00:10.123456Z')).toBe('2026-12-04T16:00:10.123456Z');
    expect(shift.text('no time here, 16:00:10')).toBe('no time here, 16:00:10');
  });

  it('moves the values of series that hold Unix times, and no other', () => {
    const created: MetricSeries = {
      name: 'kube_pod_created',
      labels: {},
      points: [[WARMUP / 1000 + 60, RESET / 1000 + 5]],
    };
    expect(shift.series(created).points[0][1]).toBe((RESET - 2 * DAY) / 1000 + 5);
    const started: MetricSeries = {
      name: 'process_start_time_seconds',
      labels: {},
      points: [[WARMUP / 1000 + 60, 1_700_000_000]],
    };
    expect(shift.series(started).points[0][1]).toBe((1_700_000_000_000 - 32 * DAY) / 1000);
    const requests: MetricSeries = {
      name: 'http_requests_total',
      labels: {},
      points: [[WARMUP / 1000 + 60, 1_800_000_000]],
    };
    expect(shift.series(requests).points[0][1]).toBe(1_800_000_000);
  });
});
