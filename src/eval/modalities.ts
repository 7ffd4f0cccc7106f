import { SnapshotFile } from '../bundle/layout.js';
import { InvalidInputError } from '../errors/invalid-input-error.js';

/**
 * What `--omit` can drop: each evidence file of a snapshot by its name (ITBench ran "no traces"
 * variants). task.md is the question itself and cannot be dropped.
 */
export const MODALITIES = {
  alerts: SnapshotFile.alerts,
  events: SnapshotFile.events,
  logs: SnapshotFile.logs,
  metrics: SnapshotFile.metrics,
  traces: SnapshotFile.traces,
  topology: SnapshotFile.topology,
  objects: SnapshotFile.objects,
  'object-changes': SnapshotFile.objectChanges,
} as const;

export type Modality = keyof typeof MODALITIES;

export const MODALITY_NAMES = Object.keys(MODALITIES) as Modality[];

function isModality(name: string): name is Modality {
  return Object.hasOwn(MODALITIES, name);
}

/** `traces,logs` (repeatable) → the modalities, sorted and deduplicated; unknown names are bad usage. */
export function parseOmit(values: readonly string[]): Modality[] {
  const names = values
    .flatMap((v) => v.split(','))
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !isModality(n));
  if (unknown.length > 0)
    throw new InvalidInputError(
      `--omit: unknown modality ${unknown.map((n) => `"${n}"`).join(', ')}; choose from ${MODALITY_NAMES.join(', ')}`,
    );
  return [...new Set(names as Modality[])].sort();
}

/** The file's name inside snapshot/: `snapshot/logs.ndjson` → `logs.ndjson`. */
function fileName(rel: string): string {
  return rel.slice(rel.lastIndexOf('/') + 1);
}

/**
 * Whether a bundle path belongs to an omitted modality: its file, or anything in a folder of the same
 * stem (a bundle may split logs into `snapshot/logs/<pod>.ndjson`).
 */
export function isOmitted(rel: string, omit: readonly Modality[]): boolean {
  for (const m of omit) {
    const file = MODALITIES[m];
    if (rel === file) return true;
    const stem = file.slice(0, file.lastIndexOf('.'));
    if (rel.startsWith(`${stem}/`)) return true;
  }
  return false;
}

/**
 * task.md with the evidence lines of omitted files removed, so the question lists exactly the files
 * the agent finds. Capture writes one line per file, `` - `traces.ndjson`: ... `` (src/capture/task-text.ts).
 */
export function rewriteTaskText(text: string, omit: readonly Modality[]): string {
  if (omit.length === 0) return text;
  const dropped = new Set(omit.map((m) => fileName(MODALITIES[m])));
  return text
    .split('\n')
    .filter((line) => {
      const m = /^\s*[-*] `([^`]+)`/.exec(line);
      return m === null || !dropped.has(m[1]);
    })
    .join('\n');
}
