import { trace, type Tracer } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

export interface TracingOptions {
  service: string;
  podName?: string;
  podNamespace?: string;
  /** Full OTLP/HTTP URL (…/v1/traces). Undefined: spans are created (ids for logs, propagation) but not exported. */
  endpoint?: string;
}

export interface Tracing {
  tracer: Tracer;
  /** Flushes queued spans; bounded so a dead collector cannot hold up shutdown. */
  shutdown(): Promise<void>;
}

export function startTracing(opts: TracingOptions): Tracing {
  const attributes: Record<string, string> = { 'service.name': opts.service, 'service.namespace': 'shop' };
  if (opts.podName) attributes['k8s.pod.name'] = opts.podName;
  if (opts.podNamespace) attributes['k8s.namespace.name'] = opts.podNamespace;
  const spanProcessors: SpanProcessor[] = [];
  if (opts.endpoint) {
    const exporter = new OTLPTraceExporter({ url: opts.endpoint, timeoutMillis: 2000 });
    spanProcessors.push(
      new BatchSpanProcessor(exporter, {
        scheduledDelayMillis: 1000,
        maxQueueSize: 4096,
        maxExportBatchSize: 512,
        exportTimeoutMillis: 2000,
      }),
    );
  }
  const provider = new NodeTracerProvider({ resource: resourceFromAttributes(attributes), spanProcessors });
  provider.register({ propagator: new W3CTraceContextPropagator() });
  return {
    tracer: trace.getTracer('shop'),
    async shutdown() {
      await Promise.race([provider.shutdown(), new Promise((r) => setTimeout(r, 1500).unref())]);
    },
  };
}
