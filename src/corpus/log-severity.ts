import type { LogRecord } from '../bundle/records.js';

const ERROR_LEVELS = new Set([
  'warn',
  'warning',
  'error',
  'err',
  'fatal',
  'critical',
  'crit',
  'panic',
  'alert',
  'emerg',
]);
const ERROR_WORDS =
  /\b(error|errors|exception|fatal|panic|failed|failure|refused|timed out|timeout|unavailable|crash(ed)?|oom|killed|denied|unauthori[sz]ed)\b/i;

/**
 * A log line that reports trouble: written to stderr; a JSON line whose `level` is warn or worse (pino's
 * numbers ≥ 40 or a level name); or a plain-text line with an error word. JSON lines are judged by their
 * level and message only, so an `"error": null` field in a healthy line does not count.
 */
export function isTroubleLine(record: Pick<LogRecord, 'stream' | 'line'>): boolean {
  if (record.stream === 'stderr') return true;
  const line = record.line;
  if (line.startsWith('{')) {
    try {
      const doc = JSON.parse(line) as Record<string, unknown>;
      const level = doc.level ?? doc.severity ?? doc.lvl;
      if (typeof level === 'number') return level >= 40;
      if (typeof level === 'string') return ERROR_LEVELS.has(level.toLowerCase());
      const msg = doc.msg ?? doc.message;
      return typeof msg === 'string' && ERROR_WORDS.test(msg);
    } catch {
      // not JSON after all: judged as text
    }
  }
  return ERROR_WORDS.test(line);
}
