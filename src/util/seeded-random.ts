import { createHmac } from 'node:crypto';

/**
 * Reproducible randomness from a key and a label: HMAC-SHA256 in counter mode, so two streams with
 * different labels (window offsets, background schedule) never share draws, and nothing about the key
 * can be recovered from the values.
 */
export class SeededRandom {
  private counter = 0;
  private buffer: Buffer = Buffer.alloc(0);
  private offset = 0;

  constructor(
    private readonly key: string,
    private readonly label: string,
  ) {}

  /** A uniform float in [0, 1). */
  next(): number {
    if (this.offset + 6 > this.buffer.length) {
      this.buffer = createHmac('sha256', this.key).update(`${this.label}\n${this.counter++}`).digest();
      this.offset = 0;
    }
    // 48 bits: plenty for offsets and choices, and exact in a double.
    const v = this.buffer.readUIntBE(this.offset, 6) / 2 ** 48;
    this.offset += 6;
    return v;
  }

  /** A uniform integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** A uniform float in [min, max). */
  between(min: number, max: number): number {
    return min + this.next() * (max - min);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[Math.floor(this.next() * items.length)];
  }

  /** `length` lowercase hex digits, as a checksum or an id looks. */
  hex(length: number): string {
    return Array.from({ length }, () => this.int(0, 15).toString(16)).join('');
  }

  /** A new stream for a sub-purpose, independent of this one's draws. */
  fork(label: string): SeededRandom {
    return new SeededRandom(this.key, `${this.label}/${label}`);
  }
}
