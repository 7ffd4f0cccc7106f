import type { ProgressReporter } from '../../platform/substrate.js';
import type { SeriesProgress, SeriesRun } from '../../runner/run-series.js';

/**
 * Progress on stderr, one line per phase change: elapsed time, a prefix (scenario and repeat) and what
 * is awaited. Plain lines so CI logs read as well as a terminal.
 */
export class StderrProgress implements ProgressReporter {
  private readonly start = Date.now();
  prefix = '';

  constructor(private readonly write: (s: string) => void = (s) => process.stderr.write(s)) {}

  phase(name: string, detail?: string): void {
    const t = ((Date.now() - this.start) / 1000).toFixed(1).padStart(7);
    this.write(`[${t}s] ${this.prefix}${name}${detail ? `: ${detail}` : ''}\n`);
  }

  /**
   * This display as the hooks of a series of runs (run, reproduce): a run's lines carry `label`'s prefix,
   * the lines between runs (bringing the substrate up, stopping it) none.
   */
  forSeries(label: (run: SeriesRun, index: number, total: number) => string): SeriesProgress {
    return {
      phase: (name, detail) => this.phase(name, detail),
      note: (name, detail) => {
        this.prefix = '';
        this.phase(name, detail);
      },
      startRun: (run, index, total) => {
        this.prefix = label(run, index, total);
      },
      endRun: () => undefined,
    };
  }
}
