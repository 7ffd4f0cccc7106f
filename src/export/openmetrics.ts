import { join } from 'node:path';
import type { BundleHandle } from '../bundle/bundle-reader.js';
import { SnapshotFile } from '../bundle/layout.js';
import type { MetricPoint, MetricSeries } from '../bundle/records.js';
import type { ExportedFile, Exporter } from './exporter.js';
import { GROUND_TRUTH_FILE, writeGroundTruth } from './ground-truth-file.js';
import { writeLineFile } from './line-file.js';

/**
 * `openmetrics`: the bundle's metrics as OpenMetrics text with a timestamp on every sample, the input of
 * `promtool tsdb create-blocks-from openmetrics` (Prometheus backfilling):
 *
 * ```
 * <dir>/metrics.openmetrics.txt   # TYPE lines, one family at a time, samples in time order, # EOF
 * <truthDir>/ground_truth.json
 * ```
 */
export const METRICS_FILE = 'metrics.openmetrics.txt';

export type FamilyType = 'counter' | 'histogram' | 'summary' | 'unknown';

export interface MetricFamily {
  name: string;
  type: FamilyType;
  series: MetricSeries[];
}

/**
 * Series grouped into metric families, since OpenMetrics wants each family's samples together under
 * one TYPE line. A bundle keeps no metadata, so the type comes from the naming conventions Prometheus
 * clients follow: `<f>_bucket` with `le` (and its `_count`, `_sum`) a histogram, `<f>` with `quantile`
 * (and its `_count`, `_sum`) a summary, `<f>_total` a counter, anything else `unknown` (a gauge cannot be
 * told from an untyped metric by name).
 */
export function metricFamilies(series: readonly MetricSeries[]): MetricFamily[] {
  const names = new Set(series.map((s) => s.name));
  const histograms = new Set<string>();
  const summaries = new Set<string>();
  for (const s of series) {
    if (s.name.endsWith('_bucket') && s.labels.le !== undefined)
      histograms.add(s.name.slice(0, -'_bucket'.length));
    if (s.labels.quantile !== undefined) summaries.add(s.name);
  }
  const familyOf = (name: string): { name: string; type: FamilyType } => {
    for (const suffix of ['_bucket', '_count', '_sum', '_created']) {
      if (!name.endsWith(suffix)) continue;
      const base = name.slice(0, -suffix.length);
      if (histograms.has(base)) return { name: base, type: 'histogram' };
      if (suffix !== '_bucket' && summaries.has(base)) return { name: base, type: 'summary' };
    }
    if (summaries.has(name)) return { name, type: 'summary' };
    // `foo_total` is family `foo` unless a series named `foo` exists, whose family that name already is.
    if (name.endsWith('_total') && !names.has(name.slice(0, -'_total'.length)))
      return { name: name.slice(0, -'_total'.length), type: 'counter' };
    return { name, type: 'unknown' };
  };
  const families = new Map<string, MetricFamily>();
  for (const s of series) {
    const f = familyOf(s.name);
    let fam = families.get(f.name);
    if (!fam) families.set(f.name, (fam = { ...f, series: [] }));
    fam.series.push(s);
  }
  const key = (s: MetricSeries): string =>
    `${s.name}{${Object.keys(s.labels)
      .sort()
      .map((k) => `${k}=${s.labels[k]}`)
      .join(',')}}`;
  return [...families.values()]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((f) => ({ ...f, series: [...f.series].sort((a, b) => key(a).localeCompare(key(b))) }));
}

const escapeLabel = (v: string): string =>
  v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

function labelSet(labels: Record<string, string>): string {
  const keys = Object.keys(labels).sort();
  return keys.length === 0 ? '' : `{${keys.map((k) => `${k}="${escapeLabel(labels[k])}"`).join(',')}}`;
}

/** OpenMetrics numbers: NaN, +Inf and -Inf spelled as Prometheus does. */
function value(v: MetricPoint[1]): string {
  if (typeof v === 'string') return v;
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

/** The lines of one family: its TYPE line, then every sample of every series, each series in time order. */
export function* familyLines(f: MetricFamily): Generator<string> {
  yield `# TYPE ${f.name} ${f.type}`;
  for (const s of f.series) {
    const head = `${s.name}${labelSet(s.labels)}`;
    for (const [ts, v] of s.points) yield `${head} ${value(v)} ${ts}`;
  }
}

export const openMetricsExporter: Exporter = {
  id: 'openmetrics',
  description: 'metrics as OpenMetrics text with timestamps (promtool tsdb create-blocks-from openmetrics)',
  async write(bundle: BundleHandle, dir: string, truthDir: string) {
    const series: MetricSeries[] = [];
    if (bundle.has(SnapshotFile.metrics))
      for await (const s of bundle.readNdjson<MetricSeries>(SnapshotFile.metrics)) series.push(s);
    let samples = 0;
    await writeLineFile(join(dir, METRICS_FILE), async (writeLine) => {
      for (const f of metricFamilies(series))
        for (const line of familyLines(f)) {
          if (!line.startsWith('#')) samples++;
          await writeLine(line);
        }
      await writeLine('# EOF');
    });
    await writeGroundTruth(truthDir, await bundle.groundTruth());
    const files: ExportedFile[] = [{ path: METRICS_FILE, rows: samples }];
    return { files, truth: [{ path: GROUND_TRUTH_FILE, rows: 1 }] };
  },
};
