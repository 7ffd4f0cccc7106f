/** Milliseconds since the epoch from an ISO-8601 string, or null when it does not parse. */
export function isoMs(text: string | null | undefined): number | null {
  if (typeof text !== 'string' || text === '') return null;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : null;
}

/** A compact UTC clock time for evidence lines (the date is the same for a whole snapshot). */
export function clock(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '?';
  return new Date(ms).toISOString().slice(11, 19);
}

/** Seconds between two instants, signed, rounded for humans. */
export function secondsBetween(fromMs: number, toMs: number): string {
  const s = Math.round((toMs - fromMs) / 1000);
  return `${s >= 0 ? '+' : ''}${s}s`;
}
