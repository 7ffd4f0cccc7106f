import { z } from 'zod';

const UNIT_MS = { h: 3_600_000, m: 60_000, s: 1_000, ms: 1 } as const;

/** One or more `<integer><unit>` parts, largest unit first by convention: `1500ms`, `30s`, `2m`, `1h30m`. */
export const DURATION_PATTERN = '^(?:[0-9]+(?:ms|h|m|s))+$';
const DURATION_RE = new RegExp(DURATION_PATTERN);
const PART_RE = /([0-9]+)(ms|h|m|s)/g;

export const DURATION_HINT = 'a duration is a number with a unit: 1500ms, 30s, 2m, 1h or 1m30s';

/**
 * The longest duration a scenario may give. Node's timers hold at most 2^31 − 1 ms (about 24.8 days) and
 * treat anything longer as 1 ms, so `warmup: 100000h` would not wait at all; a day is far beyond any
 * incident worth staging, and several of them added up still fit a timer.
 */
export const MAX_DURATION_MS = 24 * 3_600_000;

/** Milliseconds of a duration string, or undefined when it is not one (bare numbers have no unit: refused). */
export function parseDuration(text: string): number | undefined {
  const t = text.trim();
  if (!DURATION_RE.test(t)) return undefined;
  let ms = 0;
  for (const m of t.matchAll(PART_RE)) ms += Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
  return Number.isSafeInteger(ms) ? ms : undefined;
}

/** The shortest exact spelling (`90000` → `1m30s`); used in messages so they echo how authors write. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = ms;
  let out = '';
  for (const [unit, size] of Object.entries(UNIT_MS)) {
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out;
}

/** A YAML duration string parsed to milliseconds. */
export const durationSchema = z
  .string({
    error: (iss) =>
      typeof iss.input === 'number'
        ? `${iss.input} has no unit; ${DURATION_HINT}`
        : `expected a duration string; ${DURATION_HINT}`,
  })
  .regex(DURATION_RE, { error: (iss) => `"${String(iss.input)}" is not a duration; ${DURATION_HINT}` })
  .transform((text, ctx) => {
    const ms = parseDuration(text);
    if (ms === undefined || ms > MAX_DURATION_MS) {
      ctx.addIssue({
        code: 'custom',
        message: `"${text}" is longer than the longest duration allowed (${formatDuration(MAX_DURATION_MS)})`,
      });
      return z.NEVER;
    }
    return ms;
  });
