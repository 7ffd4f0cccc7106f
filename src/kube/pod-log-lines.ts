import type { LogRecord } from '../bundle/records.js';

/** `2026-11-25T13:01:58.123456789Z rest of the line` as the kubelet writes it with `timestamps=true`. */
const STAMPED = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2}) ?(.*)$/;

/**
 * The lines of a timestamped container log inside [start, end], as LogRecords. Timestamps are cut to
 * milliseconds (ISO 8601, UTC) like every other time in a bundle. Kubernetes does not say which stream a
 * line came from (the split-streams option is alpha), so every line is recorded as stdout.
 */
export function parsePodLog(
  text: string,
  where: { entity: string; container: string },
  window: { start: Date; end: Date },
): LogRecord[] {
  const from = window.start.getTime();
  const to = window.end.getTime();
  const out: LogRecord[] = [];
  for (const raw of text.split('\n')) {
    const m = STAMPED.exec(raw.replace(/\r$/, ''));
    if (!m) continue;
    const fraction = (m[2] ?? '').padEnd(9, '0');
    const ms = Date.parse(`${m[1]}${m[3]}`) + Number(fraction.slice(0, 3));
    // Nanoseconds past the millisecond: a line 1 ns after the window's end is outside it.
    const beyondMs = Number(fraction.slice(3)) > 0;
    if (Number.isNaN(ms) || ms < from || ms > to || (ms === to && beyondMs)) continue;
    out.push({
      ts: new Date(ms).toISOString(),
      entity: where.entity,
      container: where.container,
      stream: 'stdout',
      line: m[4] as string,
    });
  }
  return out;
}
