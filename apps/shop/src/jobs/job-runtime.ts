import { SpanKind, SpanStatusCode, context, trace, type Tracer } from '@opentelemetry/api';
import type { Logger } from 'pino';
import type { ShopConfig } from '../runtime/config.js';
import { DependencyError } from '../runtime/dependency-error.js';
import type { DependencyClient } from '../runtime/http-client.js';
import { ShopMetrics } from '../runtime/metrics.js';
import { dependencyClients } from '../runtime/service-runtime.js';
import type { HttpDependency } from '../runtime/service-names.js';
import { startTracing } from '../runtime/tracing.js';

/** What a batch job gets from the shared runtime: the service toolkit minus the HTTP server and settings. */
export interface JobContext {
  config: ShopConfig;
  logger: Logger;
  tracer: Tracer;
  /** Required by the instrumented clients; a Job's pod is never scraped, so nothing reads it. */
  metrics: ShopMetrics;
  client(dependency: HttpDependency): DependencyClient;
  /** Aborted on SIGTERM/SIGINT (the pod is being deleted or ran past its deadline). */
  signal: AbortSignal;
}

export interface BatchJob {
  /** How log lines name the job: "catalog sync". */
  title: string;
  /** Does the work; a thrown error ends the job with exit 1 and one error line carrying its message. */
  run(ctx: JobContext): Promise<void>;
}

/** A failure the job has already put into words (the error line's message after "<title> failed: "). */
export class JobError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'JobError';
  }
}

/**
 * Runs one batch job under a root span named after it (its calls and queries become one trace, exported as
 * service `<job name>`) and returns the exit code: 0 when it finished, 1 after logging one error line. Spans
 * are flushed before returning, so a Job pod that exits right away still shows up in the traces.
 */
export async function runJob(
  config: ShopConfig,
  logger: Logger,
  job: BatchJob,
  signal: AbortSignal,
): Promise<number> {
  const tracing = startTracing({
    service: config.service,
    podName: config.podName,
    podNamespace: config.podNamespace,
    endpoint: config.otlpTracesEndpoint,
  });
  const metrics = new ShopMetrics();
  const ctx: JobContext = {
    config,
    logger,
    tracer: tracing.tracer,
    metrics,
    client: dependencyClients(config, { tracer: tracing.tracer, metrics, logger }),
    signal,
  };
  const span = tracing.tracer.startSpan(config.service, { kind: SpanKind.INTERNAL });
  let code = 0;
  await context.with(trace.setSpan(context.active(), span), async () => {
    try {
      await job.run(ctx);
    } catch (err) {
      code = 1;
      const { message, errCode } = describeFailure(err, signal);
      span.setStatus({ code: SpanStatusCode.ERROR, message });
      logger.error(errCode ? { err_code: errCode } : {}, `${job.title} failed: ${message}`);
    } finally {
      span.end();
    }
  });
  await tracing.shutdown();
  return code;
}

function describeFailure(err: unknown, signal: AbortSignal): { message: string; errCode?: string } {
  if (err instanceof JobError) return { message: err.message, errCode: err.code };
  if (err instanceof DependencyError)
    return { message: `${err.dependency}: ${err.message}`, errCode: err.code };
  if (signal.aborted) return { message: `stopped before finishing (${String(signal.reason)})` };
  const e = err instanceof Error ? err : new Error(String(err));
  return { message: `${e.name}: ${e.message}` };
}
