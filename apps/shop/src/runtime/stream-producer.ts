import { SpanKind, SpanStatusCode, context, propagation, trace, type Tracer } from '@opentelemetry/api';
import type { Counter } from 'prom-client';
import { ATTR_ERROR_TYPE } from '@opentelemetry/semantic-conventions';
import {
  ATTR_MESSAGING_MESSAGE_BODY_SIZE,
  ATTR_MESSAGING_MESSAGE_ID,
  ATTR_MESSAGING_OPERATION_NAME,
  ATTR_MESSAGING_OPERATION_TYPE,
  MESSAGING_OPERATION_TYPE_VALUE_SEND,
} from '@opentelemetry/semantic-conventions/incubating';
import { DependencyError } from './dependency-error.js';
import type { ShopMetrics } from './metrics.js';
import type { InstrumentedRedis } from './redis-client.js';
import { encodeFields, streamAttributes, type Payload } from './stream-message.js';

export interface StreamProducerOptions {
  redis: InstrumentedRedis;
  /** The stream (queue) name, e.g. `orders`. */
  stream: string;
  service: string;
  tracer: Tracer;
  metrics: ShopMetrics;
  /** Approximate cap on the stream's length (`XADD … MAXLEN ~ n`); default 10000. */
  maxLen?: number;
  /** Wall clock for `published_at`, ms. */
  now?: () => number;
}

export const DEFAULT_STREAM_MAX_LEN = 10_000;

/**
 * Publishes events to one Redis stream: each `publish` is a PRODUCER span `send <stream>` (the XADD's CLIENT
 * span under it) whose W3C trace context travels in the message's `traceparent`/`tracestate` fields, so the
 * consumer's `process` span continues the producer's trace. Counted in `queue_messages_published_total`.
 * The stream is trimmed to about `maxLen` entries: a consumer group that falls further behind loses the
 * oldest (its lag stops growing at the cap).
 */
export class StreamProducer {
  private readonly maxLen: number;
  private readonly now: () => number;
  private readonly published: Counter<'service' | 'queue' | 'outcome'>;

  constructor(private readonly opts: StreamProducerOptions) {
    this.maxLen = opts.maxLen ?? DEFAULT_STREAM_MAX_LEN;
    this.now = opts.now ?? Date.now;
    this.published = opts.metrics.counter(
      'queue_messages_published_total',
      'Messages published to a queue (Redis stream), by outcome (ok/error).',
      ['service', 'queue', 'outcome'],
    );
  }

  get stream(): string {
    return this.opts.stream;
  }

  /** XADDs one message; resolves with its id. A Redis failure rejects with DependencyError. */
  async publish(type: string, payload: Payload): Promise<string> {
    const { stream, tracer } = this.opts;
    const body = JSON.stringify(payload);
    const span = tracer.startSpan(`send ${stream}`, {
      kind: SpanKind.PRODUCER,
      attributes: {
        ...streamAttributes(stream),
        [ATTR_MESSAGING_OPERATION_TYPE]: MESSAGING_OPERATION_TYPE_VALUE_SEND,
        [ATTR_MESSAGING_OPERATION_NAME]: 'send',
        [ATTR_MESSAGING_MESSAGE_BODY_SIZE]: Buffer.byteLength(body),
      },
    });
    const ctx = trace.setSpan(context.active(), span);
    const carrier: Record<string, string> = {};
    propagation.inject(ctx, carrier);
    const fields = encodeFields(type, payload, carrier, this.now());
    let outcome = 'ok';
    try {
      const id = await context.with(ctx, () =>
        this.opts.redis.command('XADD', (r) => r.xadd(stream, 'MAXLEN', '~', this.maxLen, '*', ...fields)),
      );
      if (id === null) throw new DependencyError('redis', 'EREDIS', `XADD to ${stream} returned no id`);
      span.setAttribute(ATTR_MESSAGING_MESSAGE_ID, id);
      return id;
    } catch (err) {
      outcome = 'error';
      span.setAttribute(ATTR_ERROR_TYPE, err instanceof DependencyError ? err.code : 'Error');
      span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
      throw err;
    } finally {
      this.published.inc({ service: this.opts.service, queue: stream, outcome });
      span.end();
    }
  }
}
