import { SnapshotFile } from './layout.js';

/**
 * How `records` in the manifest is counted. The writer and verify both go through here, so a bundle the
 * writer committed always verifies.
 *
 * - `.ndjson`: lines (one record a line)
 * - `.json`: items of a top-level array; snapshot/alerts.json: alerts active at capture; any other
 *   JSON document: 1
 * - anything else (task.md...): lines
 */
export type RecordKind = 'ndjson' | 'json' | 'lines';

export function recordKind(rel: string): RecordKind {
  if (rel.endsWith('.ndjson')) return 'ndjson';
  if (rel.endsWith('.json')) return 'json';
  return 'lines';
}

export function countJsonRecords(rel: string, value: unknown): number {
  if (Array.isArray(value)) return value.length;
  if (rel === SnapshotFile.alerts && isObject(value) && Array.isArray(value.active))
    return value.active.length;
  return 1;
}

/** Lines of a text: newline-terminated lines plus a final unterminated one; '' has none. */
export function countLines(text: string): number {
  if (text === '') return 0;
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return text.endsWith('\n') ? n : n + 1;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
