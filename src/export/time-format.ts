/**
 * ClickHouse's text form of a DateTime64(9) in UTC, as the OTel ClickHouse exporter's tables print and
 * ITBench snapshots carry it: `2025-01-01 10:05:00.123000000`.
 */
export function clickhouseTime(ms: number): string {
  const iso = new Date(ms).toISOString(); // 2025-01-01T10:05:00.123Z
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}000000`;
}

/** The same from an ISO-8601 string; empty for a missing or unparseable time. */
export function clickhouseTimeOf(iso: string | null | undefined): string {
  if (!iso) return '';
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? clickhouseTime(ms) : '';
}

/** `2025-01-01T10-05-00.123000`: the time in ITBench's `alerts_at_<time>.json` file names. */
export function alertFileTime(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)}T${iso.slice(11, 19).replace(/:/g, '-')}.${iso.slice(20, 23)}000`;
}

/** Nanoseconds since the epoch as an exact decimal string (beyond 2^53, so not via Number). */
export function epochNanos(ms: number): string {
  return (BigInt(Math.round(ms)) * 1_000_000n).toString();
}
