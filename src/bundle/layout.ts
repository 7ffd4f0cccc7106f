/**
 * Where things live inside a bundle (format 1, docs/bundle-format.md) and which names are allowed.
 * Paths inside a bundle are always POSIX, relative to the bundle directory.
 */

export const BUNDLE_FORMAT = 1;

/** Written last by the writer: a directory without it is not a bundle. */
export const MANIFEST_FILE = 'manifest.json';
/** manifest.json is read whole to bound and check everything else; real ones are a few kilobytes. */
export const MAX_MANIFEST_BYTES = 16 * 1024 ** 2;

/** Everything an agent may see. */
export const SNAPSHOT_DIR = 'snapshot';
/** Never shown to an agent. */
export const TRUTH_DIR = 'truth';

/** The standard snapshot files; capture writes these, exporters and the grader read them. */
export const SnapshotFile = {
  task: 'snapshot/task.md',
  alerts: 'snapshot/alerts.json',
  events: 'snapshot/events.ndjson',
  logs: 'snapshot/logs.ndjson',
  metrics: 'snapshot/metrics.ndjson',
  traces: 'snapshot/traces.ndjson',
  topology: 'snapshot/topology.json',
  objects: 'snapshot/objects.ndjson',
  objectChanges: 'snapshot/object-changes.ndjson',
} as const;

export const TRUTH_FILE = 'truth/ground_truth.json';

/** The other files of truth/: what ran beside the incident, and how to run it again. */
export const TruthFile = {
  groundTruth: TRUTH_FILE,
  background: 'truth/background.json',
  recipe: 'truth/recipe.json',
  scenario: 'truth/scenario.yaml',
} as const;

/**
 * A bundle id is one path segment: it names the bundle directory and the top-level folder of a packed
 * bundle, so it must not be able to climb out of either.
 */
export const BUNDLE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Every data file sits below snapshot/ or truth/; segments are plain names (no hidden files, no `..`). */
const BUNDLE_PATH_PATTERN = /^(snapshot|truth)(\/[A-Za-z0-9_][A-Za-z0-9._-]*)+$/;
const MAX_BUNDLE_PATH = 200;

/** Why `rel` may not be a data file of a bundle, or null when it may. */
export function bundlePathProblem(rel: string): string | null {
  if (typeof rel !== 'string' || rel === '') return 'empty path';
  if (rel.length > MAX_BUNDLE_PATH) return `path longer than ${MAX_BUNDLE_PATH} characters`;
  if (!BUNDLE_PATH_PATTERN.test(rel))
    return `${JSON.stringify(rel)} is not allowed: data files live under snapshot/ or truth/ and each segment is a plain name ([A-Za-z0-9_][A-Za-z0-9._-]*)`;
  return null;
}

export function bundleIdProblem(id: string): string | null {
  if (typeof id !== 'string' || !BUNDLE_ID_PATTERN.test(id))
    return `bundle id ${JSON.stringify(id)} is not one plain path segment ([A-Za-z0-9][A-Za-z0-9._-]*, at most 128 characters)`;
  return null;
}
