import type { SpanRecord } from '../bundle/records.js';
import type { TimeInput } from './prometheus-api.js';

export interface SpanQuery {
  /** Spans that overlap [from, to]: they end at or after `from` and start at or before `to`. */
  from?: TimeInput;
  to?: TimeInput;
  service?: string;
  traceId?: string;
  /** At most this many, the oldest first. */
  limit?: number;
}

interface Stored {
  record: SpanRecord;
  startMs: number;
  endMs: number;
}

/** Where spans are kept until capture asks for them. */
export interface SpanSink {
  add(spans: readonly SpanRecord[]): void;
}

/**
 * Spans in memory, in arrival order, up to `capacity`; beyond that the oldest are dropped and
 * counted, so a long run degrades to "recent spans only" instead of exhausting memory.
 */
export class SpanStore implements SpanSink {
  readonly capacity: number;
  private readonly ring: Array<Stored | undefined>;
  private head = 0;
  private count = 0;
  private droppedCount = 0;
  private received = 0;

  constructor(capacity = 500_000) {
    if (!(capacity >= 1)) throw new RangeError(`span store capacity must be at least 1, got ${capacity}`);
    this.capacity = Math.floor(capacity);
    this.ring = new Array<Stored | undefined>(this.capacity);
  }

  add(spans: readonly SpanRecord[]): void {
    for (const record of spans) {
      const startMs = Date.parse(record.start);
      const endMs = Date.parse(record.end);
      const slot = (this.head + this.count) % this.capacity;
      if (this.count === this.capacity) {
        this.head = (this.head + 1) % this.capacity;
        this.droppedCount++;
      } else {
        this.count++;
      }
      this.ring[slot] = { record, startMs, endMs: Number.isNaN(endMs) ? startMs : endMs };
      this.received++;
    }
  }

  /** Spans currently held. */
  get size(): number {
    return this.count;
  }

  /** Spans evicted because the store was full. */
  get dropped(): number {
    return this.droppedCount;
  }

  /** Spans ever added. */
  get totalReceived(): number {
    return this.received;
  }

  query(q: SpanQuery = {}): SpanRecord[] {
    const from = q.from === undefined ? -Infinity : toMs(q.from);
    const to = q.to === undefined ? Infinity : toMs(q.to);
    const limit = q.limit ?? Infinity;
    const out: SpanRecord[] = [];
    for (let i = 0; i < this.count && out.length < limit; i++) {
      const s = this.ring[(this.head + i) % this.capacity] as Stored;
      if (s.endMs < from || s.startMs > to) continue;
      if (q.service !== undefined && s.record.service !== q.service) continue;
      if (q.traceId !== undefined && s.record.traceId !== q.traceId) continue;
      out.push(s.record);
    }
    return out;
  }

  /** Distinct service names held, sorted. */
  services(): string[] {
    const names = new Set<string>();
    for (let i = 0; i < this.count; i++)
      names.add((this.ring[(this.head + i) % this.capacity] as Stored).record.service);
    return [...names].sort();
  }

  clear(): void {
    this.ring.fill(undefined);
    this.head = 0;
    this.count = 0;
  }
}

function toMs(t: TimeInput): number {
  return t instanceof Date ? t.getTime() : t;
}
