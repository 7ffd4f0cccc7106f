/** Doubles per chunk: 131072 × 8 bytes = 1 MiB of V8 heap, backed by touched pages (RSS grows with it). */
const CHUNK_DOUBLES = 131_072;
const TICK_MS = 1000;

/**
 * Allocates and keeps `mbPerMinute` MiB per minute on the JS heap, like a cache that never evicts. It ends the
 * way such leaks do: the V8 heap limit (--max-old-space-size) aborts the process or the container's memory
 * limit gets it OOM-killed, whichever comes first. Clearing the setting stops growth and drops the references.
 */
export class MemoryRetainer {
  private timer: NodeJS.Timeout | undefined;
  private mbPerMinute = 0;
  private owed = 0;
  private retained: number[][] = [];

  set(mbPerMinute: number | undefined): void {
    this.mbPerMinute = Math.max(0, mbPerMinute ?? 0);
    if (this.mbPerMinute > 0 && !this.timer) {
      this.timer = setInterval(() => this.tick(), TICK_MS);
      this.timer.unref();
    } else if (this.mbPerMinute === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
      this.retained = [];
      this.owed = 0;
    }
  }

  get retainedMiB(): number {
    return this.retained.length;
  }

  private tick(): void {
    this.owed += (this.mbPerMinute * TICK_MS) / 60_000;
    while (this.owed >= 1) {
      this.owed -= 1;
      // A distinct value per chunk keeps every page written, so the memory is really resident.
      this.retained.push(new Array<number>(CHUNK_DOUBLES).fill(this.retained.length + 0.5));
    }
  }
}
