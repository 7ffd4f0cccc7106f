/** What is kept of one output stream: its size, and its first and last bytes. */
export interface CapturedOutput {
  bytes: number;
  head: string;
  /** The last bytes after `head`, empty when everything fit in `head`. */
  tail: string;
  /** Bytes dropped between head and tail. */
  omitted: number;
}

/**
 * Keeps the first and the last `keep` bytes of a stream in bounded memory, however much an agent
 * writes: the start says what it set out to do, the end how it failed.
 */
export class OutputCapture {
  private readonly headBuf: Buffer;
  private headLen = 0;
  private readonly ring: Buffer;
  private ringLen = 0;
  private ringPos = 0;
  private total = 0;

  constructor(private readonly keep: number) {
    this.headBuf = Buffer.alloc(keep);
    this.ring = Buffer.alloc(keep);
  }

  push(chunk: Buffer): void {
    this.total += chunk.length;
    let data = chunk;
    if (this.headLen < this.keep) {
      const n = Math.min(this.keep - this.headLen, data.length);
      data.copy(this.headBuf, this.headLen, 0, n);
      this.headLen += n;
      data = data.subarray(n);
    }
    if (data.length === 0 || this.keep === 0) return;
    if (data.length >= this.keep) {
      data.copy(this.ring, 0, data.length - this.keep);
      this.ringPos = 0;
      this.ringLen = this.keep;
      return;
    }
    for (let i = 0; i < data.length;) {
      const n = Math.min(data.length - i, this.keep - this.ringPos);
      data.copy(this.ring, this.ringPos, i, i + n);
      this.ringPos = (this.ringPos + n) % this.keep;
      this.ringLen = Math.min(this.keep, this.ringLen + n);
      i += n;
    }
  }

  /** The capture as text; `redact` replaces secrets (API keys handed to the agent) wherever they appear. */
  result(redact: (text: string) => string = (t) => t): CapturedOutput {
    const tail =
      this.ringLen < this.keep
        ? this.ring.subarray(0, this.ringLen)
        : Buffer.concat([this.ring.subarray(this.ringPos), this.ring.subarray(0, this.ringPos)]);
    return {
      bytes: this.total,
      head: redact(this.headBuf.subarray(0, this.headLen).toString('utf8')),
      tail: redact(tail.toString('utf8')),
      omitted: this.total - this.headLen - tail.length,
    };
  }
}
