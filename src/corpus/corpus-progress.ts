import type { ProgressReporter } from '../platform/substrate.js';
import { systemClock, type Clock } from '../util/clock.js';

function clock(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m${String(sec).padStart(2, '0')}s`;
}

/**
 * Progress of a corpus on stderr, one line per phase of each run:
 * `[  12m03s] scenario 3/13 payment-latency, repeat 2/2 (run 5/26, ~1h10m left) warmup: 30s under load`.
 * Time left is the mean wall time of the runs completed so far times the runs not yet finished; it is
 * unknown until the first run completes. Runs skipped by --resume count for neither.
 */
export class CorpusProgress implements ProgressReporter {
  private readonly started: number;
  private readonly durations: number[] = [];
  private current = '';
  private runStart = 0;
  private remaining: number;

  constructor(
    totalRuns: number,
    private readonly write: (line: string) => void = (s) => process.stderr.write(s),
    private readonly clk: Clock = systemClock,
  ) {
    this.started = clk.now();
    this.remaining = totalRuns;
  }

  /** Estimated milliseconds left, or null before any run completed. */
  get etaMs(): number | null {
    if (this.durations.length === 0) return null;
    const mean = this.durations.reduce((a, b) => a + b, 0) / this.durations.length;
    return mean * this.remaining;
  }

  startRun(r: {
    scenarioIndex: number;
    scenarioCount: number;
    scenarioId: string;
    repeat: number;
    repeats: number;
    run: number;
    runs: number;
  }): void {
    this.runStart = this.clk.now();
    this.current = `scenario ${r.scenarioIndex}/${r.scenarioCount} ${r.scenarioId}, repeat ${r.repeat + 1}/${r.repeats} (run ${r.run}/${r.runs}`;
  }

  /** The current run ended (completed or failed): its time feeds the estimate. */
  endRun(): number {
    const ms = this.clk.now() - this.runStart;
    this.durations.push(ms);
    this.remaining = Math.max(0, this.remaining - 1);
    return ms;
  }

  /** A planned run that is not going to run (skipped): one less to wait for. */
  skipRun(): void {
    this.remaining = Math.max(0, this.remaining - 1);
  }

  phase(name: string, detail?: string): void {
    const elapsed = clock(this.clk.now() - this.started).padStart(7);
    const eta = this.etaMs;
    const prefix = this.current
      ? `${this.current}, ${eta === null ? 'time left unknown' : `~${clock(eta)} left`}) `
      : '';
    this.write(`[${elapsed}] ${prefix}${name}${detail ? `: ${detail}` : ''}\n`);
  }

  /** A line outside any run (bringing the substrate up, packing...). */
  note(name: string, detail?: string): void {
    const saved = this.current;
    this.current = '';
    this.phase(name, detail);
    this.current = saved;
  }
}
