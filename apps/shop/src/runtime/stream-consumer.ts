import { hostname } from 'node:os';
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  context,
  propagation,
  trace,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import type { Logger } from 'pino';
import type { Counter, Gauge, Histogram } from 'prom-client';
import { ATTR_ERROR_TYPE } from '@opentelemetry/semantic-conventions';
import {
  ATTR_MESSAGING_CLIENT_ID,
  ATTR_MESSAGING_CONSUMER_GROUP_NAME,
  ATTR_MESSAGING_MESSAGE_ID,
  ATTR_MESSAGING_OPERATION_NAME,
  ATTR_MESSAGING_OPERATION_TYPE,
  MESSAGING_OPERATION_TYPE_VALUE_PROCESS,
} from '@opentelemetry/semantic-conventions/incubating';
import { DependencyError } from './dependency-error.js';
import type { ShopMetrics } from './metrics.js';
import type { InstrumentedRedis } from './redis-client.js';
import { readBacklog } from './stream-backlog.js';
import {
  PoisonMessageError,
  decodeEntry,
  deadLetterStream,
  streamAttributes,
  type StreamMessage,
} from './stream-message.js';
import { DEFAULT_STREAM_MAX_LEN } from './stream-producer.js';

/**
 * What to do with a message that can never be processed (its payload is not a JSON object, lacks a required
 * field, or the handler threw PoisonMessageError):
 * - `crash`: log it at fatal and exit(1) with the message still pending. The restarted process reads its own
 *   pending entries first and dies on it again: a crash loop, as in a consumer that does not validate.
 * - `dead-letter`: copy it to `<stream>:dead` (with `original_id`, `group`, `reason`, `dead_lettered_at`),
 *   acknowledge it and carry on.
 */
export type PoisonPolicy = 'crash' | 'dead-letter';

export interface StreamConsumerOptions {
  /** Acks, claims, dead letters and the backlog gauges go through it; blocking reads through a duplicate(). */
  redis: InstrumentedRedis;
  stream: string;
  group: string;
  /** The consumer's name in the group; defaults to POD_NAME, then the hostname. Stable across restarts. */
  consumer?: string;
  service: string;
  tracer: Tracer;
  metrics: ShopMetrics;
  logger: Logger;
  /** Resolves: the message is acknowledged. Throws: it stays pending and is retried after claimIdleMs. */
  handler: (msg: StreamMessage) => Promise<void>;
  /** Payload keys without which a message is poison. */
  requiredFields?: readonly string[];
  /** Default `crash`. */
  onPoison?: PoisonPolicy;
  /** Called with 1 by the `crash` policy; default process.exit. */
  exit?: (code: number) => void;
  /** Entries per XREADGROUP / XAUTOCLAIM; default 10. */
  batchSize?: number;
  /** BLOCK of the read for new entries, ms; default 1000 (also bounds how long stop() waits for an idle loop). */
  blockMs?: number;
  /** Pending entries idle longer than this (a dead consumer's, or a failed one) are claimed; default 30000. */
  claimIdleMs?: number;
  /** How often the backlog gauges are refreshed, ms; default 5000. */
  gaugeIntervalMs?: number;
  /** Wall clock, ms: the oldest-unacked age is measured against it. */
  now?: () => number;
  /**
   * Flow control read before every read: true holds the loop (no reads, no claims) while the gauges go on
   * being refreshed, as a consumer whose in-flight limit is 0 does.
   */
  held?: () => boolean;
}

interface Entry {
  id: string;
  /** null: the entry was trimmed or deleted while pending. */
  fields: string[] | null;
}

type Outcome = 'ok' | 'error' | 'poison' | 'dead_lettered' | 'trimmed';

const MAX_BACKOFF_MS = 5000;
const backoffMs = (failures: number) => Math.min(MAX_BACKOFF_MS, 200 * 2 ** Math.max(0, failures - 1));
const errorType = (err: unknown) =>
  err instanceof DependencyError ? err.code : err instanceof Error ? err.name : 'Error';

/**
 * A member of a Redis Streams consumer group. start() creates the group (at `$`, with the stream, if missing)
 * and runs one loop:
 * 1. once, this consumer's own pending entries (`XREADGROUP … STREAMS <stream> 0`): what it had been given
 *    before a crash or restart;
 * 2. every min(claimIdleMs/2, 5 s), XAUTOCLAIM of entries pending longer than claimIdleMs with any consumer
 *    (a dead replica's, or one whose handler failed here);
 * 3. otherwise new entries (`>`), blocking up to blockMs on a connection of its own.
 * Each message is a CONSUMER span `process <stream>` under the producer's span, then the handler, then XACK;
 * one message at a time, so delivery is at least once (a slow handler can see a batch-mate claimed by another
 * replica) and handlers must be idempotent. The queue_consumer_* gauges are refreshed on a timer, not on
 * scrape, so a stuck handler still reports its growing backlog.
 */
export class StreamConsumer {
  readonly consumer: string;
  private readonly requiredFields: readonly string[];
  private readonly onPoison: PoisonPolicy;
  private readonly exit: (code: number) => void;
  private readonly batchSize: number;
  private readonly blockMs: number;
  private readonly claimIdleMs: number;
  private readonly claimEveryMs: number;
  private readonly gaugeIntervalMs: number;
  private readonly now: () => number;
  private readonly labels: { service: string; queue: string; group: string };

  private readonly processed: Counter<'service' | 'queue' | 'group' | 'outcome'>;
  private readonly duration: Histogram<'service' | 'queue' | 'group'>;
  private readonly lag: Gauge<'service' | 'queue' | 'group'>;
  private readonly pending: Gauge<'service' | 'queue' | 'group'>;
  private readonly oldestAge: Gauge<'service' | 'queue' | 'group'>;

  private blocking: InstrumentedRedis | undefined;
  private running: Promise<void> | undefined;
  private stopping = false;
  private stopped: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private gaugeTimer: NodeJS.Timeout | undefined;
  private refreshing = false;
  private claimCursor = '0-0';

  constructor(private readonly opts: StreamConsumerOptions) {
    this.consumer = opts.consumer || process.env.POD_NAME || hostname();
    this.requiredFields = opts.requiredFields ?? [];
    this.onPoison = opts.onPoison ?? 'crash';
    this.exit = opts.exit ?? ((code) => process.exit(code));
    this.batchSize = opts.batchSize ?? 10;
    this.blockMs = opts.blockMs ?? 1000;
    this.claimIdleMs = opts.claimIdleMs ?? 30_000;
    this.claimEveryMs = Math.min(this.claimIdleMs / 2, 5000);
    this.gaugeIntervalMs = opts.gaugeIntervalMs ?? 5000;
    this.now = opts.now ?? Date.now;
    this.labels = { service: opts.service, queue: opts.stream, group: opts.group };
    const names: Array<'service' | 'queue' | 'group'> = ['service', 'queue', 'group'];
    const m = opts.metrics;
    this.processed = m.counter(
      'queue_messages_processed_total',
      'Messages a consumer group handled, by outcome (ok, error, poison, dead_lettered, trimmed).',
      [...names, 'outcome'],
    );
    this.duration = m.histogram(
      'queue_process_duration_seconds',
      'Time to process one message: handler and XACK.',
      names,
    );
    this.lag = m.gauge('queue_consumer_lag', 'Entries not yet delivered to the consumer group.', names);
    this.pending = m.gauge(
      'queue_consumer_pending',
      'Entries delivered to a consumer of the group and not acknowledged.',
      names,
    );
    this.oldestAge = m.gauge(
      'queue_oldest_unacked_age_seconds',
      'Age of the oldest entry the consumer group has not acknowledged (pending or not yet delivered).',
      names,
    );
  }

  /**
   * Creates the group if needed (retrying while Redis is unreachable) and starts the loop and the gauge
   * timer; resolves once the group exists (or stop() was called first). Messages published before the group
   * existed are not delivered to it.
   */
  start(): Promise<void> {
    if (this.running) throw new Error(`consumer ${this.consumer} of ${this.opts.stream} already started`);
    this.blocking = this.opts.redis.duplicate(this.blockMs);
    let ready!: () => void;
    const groupReady = new Promise<void>((r) => (ready = r));
    this.running = this.main(ready);
    return groupReady;
  }

  /** Finishes the message in hand, then ends the loop (within blockMs when idle) and closes its connection. */
  stop(): Promise<void> {
    this.stopped ??= (async () => {
      this.stopping = true;
      clearInterval(this.gaugeTimer);
      this.wake?.();
      await this.running;
      await this.blocking?.close();
    })();
    return this.stopped;
  }

  /** Reads the group's backlog into the gauges; runs every gaugeIntervalMs after start(). */
  async refreshGauges(): Promise<void> {
    if (this.refreshing) return;
    this.refreshing = true;
    try {
      const backlog = await readBacklog(this.opts.redis, this.opts.stream, this.opts.group, this.now());
      if (!backlog) return;
      this.lag.set(this.labels, backlog.lag);
      this.pending.set(this.labels, backlog.pending);
      this.oldestAge.set(this.labels, backlog.oldestUnackedAgeSeconds);
    } catch (err) {
      // Redis trouble is logged by the client; the gauges keep their last values.
      this.opts.logger.debug({ err }, `reading the backlog of ${this.opts.stream} failed`);
    } finally {
      this.refreshing = false;
    }
  }

  private async main(ready: () => void): Promise<void> {
    try {
      await this.ensureGroup();
    } finally {
      ready();
    }
    if (this.stopping) return;
    void this.refreshGauges();
    this.gaugeTimer = setInterval(() => void this.refreshGauges(), this.gaugeIntervalMs);
    this.gaugeTimer.unref();
    try {
      await this.run();
    } catch (err) {
      this.opts.logger.error(
        { err },
        `consumer loop of ${this.opts.stream} ended: ${(err as Error).message}`,
      );
    }
  }

  private async ensureGroup(): Promise<void> {
    const { redis, stream, group, logger } = this.opts;
    for (let failures = 1; !this.stopping; failures++) {
      try {
        await redis.command('XGROUP', (r) => r.xgroup('CREATE', stream, group, '$', 'MKSTREAM'), {
          requireParent: true,
        });
        logger.info({ queue: stream, group }, `created consumer group ${group} on ${stream}`);
        return;
      } catch (err) {
        if (/BUSYGROUP/.test((err as Error).message)) return;
        logger.warn(
          { queue: stream, group, err_code: errorType(err) },
          `creating consumer group ${group} on ${stream} failed: ${(err as Error).message}`,
        );
        await this.pause(backoffMs(failures));
      }
    }
  }

  private async run(): Promise<void> {
    const { stream, logger } = this.opts;
    let ownPending: string | undefined = '0';
    let lastClaimScan = Number.NEGATIVE_INFINITY;
    let readFailures = 0;
    let handlerFailures = 0;
    while (!this.stopping) {
      if (this.opts.held?.()) {
        await this.pause(this.blockMs);
        continue;
      }
      let batch: Entry[];
      try {
        if (ownPending !== undefined) {
          batch = await this.readGroup(ownPending);
          if (batch.length === 0) ownPending = undefined;
          else ownPending = batch[batch.length - 1].id;
        } else if (performance.now() - lastClaimScan >= this.claimEveryMs) {
          batch = await this.autoclaim();
          if (this.claimCursor === '0-0') lastClaimScan = performance.now();
        } else {
          batch = await this.readGroup('>');
        }
        readFailures = 0;
      } catch (err) {
        if (this.stopping) break;
        readFailures++;
        if (/NOGROUP/.test((err as Error).message)) await this.ensureGroup();
        logger.warn(
          { queue: stream, group: this.opts.group, err_code: errorType(err) },
          `reading ${stream} failed: ${(err as Error).message}`,
        );
        await this.pause(backoffMs(readFailures));
        continue;
      }
      for (const entry of batch) {
        if (this.stopping) break;
        const outcome = await this.process(entry);
        if (outcome === 'poison' && this.onPoison === 'crash') {
          this.stopping = true;
          clearInterval(this.gaugeTimer);
          this.exit(1);
          return;
        }
        if (outcome === 'error') await this.pause(backoffMs(++handlerFailures));
        else handlerFailures = 0;
      }
    }
  }

  /** XREADGROUP from `id`: `0`/an id for this consumer's own pending entries, `>` for new ones (blocking). */
  private async readGroup(id: string): Promise<Entry[]> {
    const { stream, group } = this.opts;
    const block = id === '>' ? ['BLOCK', this.blockMs] : [];
    const reply = await this.blocking!.command(
      'XREADGROUP',
      (r) =>
        r.call(
          'XREADGROUP',
          'GROUP',
          group,
          this.consumer,
          'COUNT',
          this.batchSize,
          ...block,
          'STREAMS',
          stream,
          id,
        ) as Promise<Array<[string, Array<[string, string[] | null]>]> | null>,
      { requireParent: true },
    );
    return (reply?.[0]?.[1] ?? []).map(([entryId, fields]) => ({ id: entryId, fields }));
  }

  /** One XAUTOCLAIM step from the cursor; entries deleted while pending are dropped from the group by Redis. */
  private async autoclaim(): Promise<Entry[]> {
    const { redis, stream, group } = this.opts;
    const reply = (await redis.command(
      'XAUTOCLAIM',
      (r) =>
        r.xautoclaim(
          stream,
          group,
          this.consumer,
          this.claimIdleMs,
          this.claimCursor,
          'COUNT',
          this.batchSize,
        ),
      { requireParent: true },
    )) as [string, Array<[string, string[] | null]>, string[]?];
    this.claimCursor = reply[0];
    const entries = reply[1].map(([id, fields]) => ({ id, fields }));
    if (entries.length > 0)
      this.opts.logger.info(
        { queue: stream, group, message_ids: entries.map((e) => e.id) },
        `claimed ${entries.length} message(s) of ${stream} pending longer than ${this.claimIdleMs}ms`,
      );
    return entries;
  }

  private async process(entry: Entry): Promise<Outcome> {
    const { stream, group, logger } = this.opts;
    if (entry.fields === null) {
      logger.warn(
        { queue: stream, group, message_id: entry.id },
        `message ${entry.id} of ${stream} was trimmed before it was processed`,
      );
      await this.ack(entry.id).catch(() => undefined);
      this.processed.inc({ ...this.labels, outcome: 'trimmed' });
      return 'trimmed';
    }
    const decoded = decodeEntry(entry.id, entry.fields, this.requiredFields);
    const parent = propagation.extract(ROOT_CONTEXT, decoded.fields);
    const span = this.opts.tracer.startSpan(
      `process ${stream}`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          ...streamAttributes(stream),
          [ATTR_MESSAGING_OPERATION_TYPE]: MESSAGING_OPERATION_TYPE_VALUE_PROCESS,
          [ATTR_MESSAGING_OPERATION_NAME]: 'process',
          [ATTR_MESSAGING_CONSUMER_GROUP_NAME]: group,
          [ATTR_MESSAGING_CLIENT_ID]: this.consumer,
          [ATTR_MESSAGING_MESSAGE_ID]: entry.id,
        },
      },
      parent,
    );
    const started = process.hrtime.bigint();
    const outcome = await context.with(trace.setSpan(parent, span), async (): Promise<Outcome> => {
      if (!decoded.ok) return this.poison(entry, decoded.reason, decoded.fields, span);
      const message = decoded.message;
      try {
        try {
          await this.opts.handler(message);
        } catch (err) {
          if (err instanceof PoisonMessageError)
            return await this.poison(entry, err.message, decoded.fields, span);
          throw err;
        }
        await this.ack(entry.id);
        return 'ok';
      } catch (err) {
        span.setAttribute(ATTR_ERROR_TYPE, errorType(err));
        span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
        logger.error(
          { err, queue: stream, group, message_id: entry.id, message_type: message.type },
          `processing message ${entry.id} of ${stream} failed: ${(err as Error).message}`,
        );
        return 'error';
      }
    });
    span.end();
    this.processed.inc({ ...this.labels, outcome });
    if (outcome === 'ok' || outcome === 'error')
      this.duration.observe(this.labels, Number(process.hrtime.bigint() - started) / 1e9);
    return outcome;
  }

  /** The poison policy for one message; 'error' when dead-lettering it failed (it stays pending). */
  private async poison(
    entry: Entry,
    reason: string,
    fields: Record<string, string>,
    span: Span,
  ): Promise<Outcome> {
    const { stream, group, logger } = this.opts;
    span.setAttribute(ATTR_ERROR_TYPE, 'PoisonMessageError');
    span.setStatus({ code: SpanStatusCode.ERROR, message: `poison message: ${reason}` });
    const details = {
      queue: stream,
      group,
      message_id: entry.id,
      message_type: fields.type,
      reason,
      payload: fields.payload?.slice(0, 200),
    };
    if (this.onPoison === 'crash') {
      logger.fatal(details, `poison message ${entry.id} on ${stream}: ${reason}; exiting`);
      return 'poison';
    }
    const dead = deadLetterStream(stream);
    try {
      await this.opts.redis.command('XADD', (r) =>
        r.xadd(
          dead,
          'MAXLEN',
          '~',
          DEFAULT_STREAM_MAX_LEN,
          '*',
          ...(entry.fields ?? []),
          'original_id',
          entry.id,
          'group',
          group,
          'reason',
          reason,
          'dead_lettered_at',
          String(this.now()),
        ),
      );
      await this.ack(entry.id);
    } catch (err) {
      logger.error(
        { ...details, err },
        `moving poison message ${entry.id} to ${dead} failed: ${(err as Error).message}`,
      );
      return 'error';
    }
    logger.error(details, `poison message ${entry.id} on ${stream} moved to ${dead}: ${reason}`);
    return 'dead_lettered';
  }

  private async ack(id: string): Promise<void> {
    await this.opts.redis.command('XACK', (r) => r.xack(this.opts.stream, this.opts.group, id));
  }

  /** Sleeps up to `ms`; stop() cuts it short. */
  private pause(ms: number): Promise<void> {
    if (this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        if (this.wake === done) this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }
}
