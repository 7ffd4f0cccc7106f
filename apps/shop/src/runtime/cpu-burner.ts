const PERIOD_MS = 100;

/**
 * Keeps `fraction` of one core busy with a busy loop of fraction × 100 ms every 100 ms on the main thread, so
 * the process's CPU time rises and its own requests queue behind the work, as with a runaway background job.
 */
export class CpuBurner {
  private timer: NodeJS.Timeout | undefined;
  private fraction = 0;
  private sink = 0;

  set(fraction: number | undefined): void {
    this.fraction = Math.max(0, Math.min(1, fraction ?? 0));
    if (this.fraction > 0 && !this.timer) {
      this.timer = setInterval(() => this.tick(), PERIOD_MS);
      this.timer.unref();
    } else if (this.fraction === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  get active(): boolean {
    return this.timer !== undefined;
  }

  private tick(): void {
    // Slightly under the full period at fraction 1 so timers and sockets still get a turn.
    const end = performance.now() + Math.min(PERIOD_MS * this.fraction, PERIOD_MS - 2);
    let x = this.sink;
    while (performance.now() < end) {
      for (let i = 0; i < 1000; i++) x = (x * 1103515245 + 12345) % 2147483648;
    }
    this.sink = x;
  }
}
