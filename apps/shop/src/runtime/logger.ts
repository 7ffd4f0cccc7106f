import { context, trace } from '@opentelemetry/api';
import { destination, pino, stdTimeFunctions, type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

export interface ShopLoggerOptions {
  service: string;
  level: string;
  podName?: string;
  /** Defaults to stdout (synchronous, so the fatal line before exit(1) is never lost). */
  destination?: DestinationStream;
}

/**
 * JSON lines on stdout: `level` as a word, ISO `time`, `service`, `pod`, `msg`, and `trace_id`/`span_id` on every
 * line written while a span is active (i.e. inside a request), so logs join traces.
 */
export function createShopLogger(opts: ShopLoggerOptions): Logger {
  return pino(
    {
      level: opts.level,
      base: opts.podName ? { service: opts.service, pod: opts.podName } : { service: opts.service },
      timestamp: stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: ['password', '*.password', 'headers.authorization'], censor: '[redacted]' },
      mixin() {
        const span = trace.getSpan(context.active());
        if (!span) return {};
        const sc = span.spanContext();
        return { trace_id: sc.traceId, span_id: sc.spanId };
      },
    },
    opts.destination ?? destination({ fd: 1, sync: true }),
  );
}
