import { mulberry32 } from './prng.js';

export type Outcome = 'ok' | 'client_error' | 'server_error' | 'timeout' | 'network_error';

export interface StatsSnapshot {
  elapsedSeconds: number;
  requests: number;
  requestsPerSecond: number;
  byOutcome: Record<string, number>;
  latencyMs: { p50: number; p95: number; p99: number; max: number };
}

const RESERVOIR = 50_000;

/** Exact percentiles up to 50k samples, reservoir-sampled beyond; enough for a bench summary. */
export class LatencyStats {
  private samples: number[] = [];
  private seen = 0;
  private max = 0;
  private byOutcome: Record<string, number> = {};
  private startedAt: number;
  private readonly rand = mulberry32(0x5eed);

  constructor(private readonly now: () => number = () => performance.now()) {
    this.startedAt = now();
  }

  record(ms: number, outcome: Outcome): void {
    this.seen++;
    this.byOutcome[outcome] = (this.byOutcome[outcome] ?? 0) + 1;
    if (ms > this.max) this.max = ms;
    if (this.samples.length < RESERVOIR) this.samples.push(ms);
    else {
      const j = Math.floor(this.rand() * this.seen);
      if (j < RESERVOIR) this.samples[j] = ms;
    }
  }

  reset(): void {
    this.samples = [];
    this.seen = 0;
    this.max = 0;
    this.byOutcome = {};
    this.startedAt = this.now();
  }

  snapshot(): StatsSnapshot {
    const sorted = [...this.samples].sort((a, b) => a - b);
    const q = (p: number) =>
      sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
    const elapsed = (this.now() - this.startedAt) / 1000;
    const round = (n: number) => Math.round(n * 10) / 10;
    return {
      elapsedSeconds: round(elapsed),
      requests: this.seen,
      requestsPerSecond: elapsed > 0 ? Math.round((this.seen / elapsed) * 100) / 100 : 0,
      byOutcome: { ...this.byOutcome },
      latencyMs: { p50: round(q(0.5)), p95: round(q(0.95)), p99: round(q(0.99)), max: round(this.max) },
    };
  }
}
