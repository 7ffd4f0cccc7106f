import type { Attributes } from '@opentelemetry/api';
// Messaging conventions are all incubating in @opentelemetry/semantic-conventions 1.45.0.
import {
  ATTR_PEER_SERVICE,
  ATTR_MESSAGING_DESTINATION_NAME,
  ATTR_MESSAGING_SYSTEM,
  ATTR_MESSAGING_SYSTEM_NAME,
} from '@opentelemetry/semantic-conventions/incubating';

/**
 * `messaging.system` has no registered value for Redis Streams (the registry lists Kafka, RabbitMQ, SQS…), so
 * the spans say `redis`, the name of the system the client talks to. Like `db.system`, `messaging.system` is
 * deprecated for `messaging.system.name`; the shop sends both generations.
 */
export const MESSAGING_SYSTEM_REDIS = 'redis';

/** Field names of a message on the stream. */
export const FIELD = {
  type: 'type',
  payload: 'payload',
  publishedAt: 'published_at',
} as const;

/** Where poison messages go in the `dead-letter` policy. */
export const deadLetterStream = (stream: string): string => `${stream}:dead`;

export type Payload = Record<string, string | number>;

/** A message as a handler sees it. */
export interface StreamMessage {
  /** The stream entry id (`<ms>-<seq>`). */
  id: string;
  type: string;
  /** The parsed `payload` field: a JSON object carrying at least the consumer's `requiredFields`. */
  payload: unknown;
  /** `published_at` (ms since the epoch), or the id's time part when it is missing. */
  publishedAt: number;
}

/**
 * Thrown by a handler for a message it can never process (a field of the wrong type, an unknown order):
 * the consumer treats it as a poison message, as it does one it cannot parse.
 */
export class PoisonMessageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PoisonMessageError';
  }
}

export function streamAttributes(stream: string): Attributes {
  return {
    [ATTR_MESSAGING_SYSTEM]: MESSAGING_SYSTEM_REDIS,
    [ATTR_MESSAGING_SYSTEM_NAME]: MESSAGING_SYSTEM_REDIS,
    [ATTR_MESSAGING_DESTINATION_NAME]: stream,
    // the broker as the topology and Jaeger's dependency graph name it, as on the Redis command spans
    [ATTR_PEER_SERVICE]: 'redis',
  };
}

/** XADD's field/value list: type, payload (JSON), the trace context carrier (traceparent, tracestate), published_at. */
export function encodeFields(
  type: string,
  payload: Payload,
  carrier: Record<string, string>,
  publishedAt: number,
): string[] {
  const fields = [FIELD.type, type, FIELD.payload, JSON.stringify(payload)];
  for (const [k, v] of Object.entries(carrier)) fields.push(k, v);
  fields.push(FIELD.publishedAt, String(publishedAt));
  return fields;
}

/** The time part of a stream id, in ms. */
export function idMillis(id: string): number {
  const dash = id.indexOf('-');
  return Number(dash < 0 ? id : id.slice(0, dash));
}

export type Decoded =
  | { ok: true; message: StreamMessage; fields: Record<string, string> }
  | { ok: false; reason: string; fields: Record<string, string> };

/**
 * A stream entry's flat field list as a message, or why it is poison: no `type`, no `payload`, a payload
 * that is not a JSON object, or one without a required field.
 */
export function decodeEntry(id: string, flat: readonly string[], requiredFields: readonly string[]): Decoded {
  const fields: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i]] = flat[i + 1];
  const type = fields[FIELD.type];
  if (!type) return { ok: false, reason: `missing field ${FIELD.type}`, fields };
  const raw = fields[FIELD.payload];
  if (raw === undefined) return { ok: false, reason: `missing field ${FIELD.payload}`, fields };
  let payload: unknown;
  try {
    payload = JSON.parse(raw);
  } catch {
    return { ok: false, reason: 'payload is not valid JSON', fields };
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload))
    return { ok: false, reason: 'payload is not a JSON object', fields };
  const missing = requiredFields.filter((f) => !(f in payload));
  if (missing.length > 0) return { ok: false, reason: `payload lacks ${missing.join(', ')}`, fields };
  const at = Number(fields[FIELD.publishedAt]);
  const publishedAt = Number.isFinite(at) && at > 0 ? at : idMillis(id);
  return { ok: true, message: { id, type, payload, publishedAt }, fields };
}
