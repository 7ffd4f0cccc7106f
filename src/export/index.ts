/** Exporters of snapshot bundles to other harnesses' layouts (docs/export-formats.md). */
export {
  exportBundle,
  exporterFor,
  exportTargets,
  EXPORTERS,
  type ExportOptions,
  type ExportResult,
} from './export-bundle.js';
export type { Exporter, ExportedFile } from './exporter.js';
export { itbenchLiteExporter, OTEL_LOG_COLUMNS, OTEL_TRACE_COLUMNS, METRIC_COLUMNS } from './itbench-lite.js';
export { rcaevalExporter, bucketQuantile, LOG_COLUMNS, TRACE_COLUMNS, DATA_METRICS } from './rcaeval.js';
export { otlpExporter, TRACES_FILE } from './otlp.js';
export { openMetricsExporter, METRICS_FILE } from './openmetrics.js';
