import { trace, type Tracer } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import {
  ATTR_K8S_NAMESPACE_NAME,
  ATTR_K8S_POD_NAME,
  ATTR_SERVICE_NAME,
  ATTR_SERVICE_NAMESPACE,
} from '@opentelemetry/semantic-conventions';

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
  const attributes: Record<string, string> = {
    [ATTR_SERVICE_NAME]: opts.service,
    [ATTR_SERVICE_NAMESPACE]: 'shop',
  };
  if (opts.podName) attributes[ATTR_K8S_POD_NAME] = opts.podName;
  if (opts.podNamespace) attributes[ATTR_K8S_NAMESPACE_NAME] = opts.podNamespace;
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
