export type ReadinessCheck = () => Promise<void>;

export interface ReadinessResult {
  ready: boolean;
  /** Check name → "ok" or the reason it failed. */
  checks: Record<string, string>;
}

const CACHE_MS = 2000;

/**
 * Runs named dependency checks for /readyz and caches the verdict for 2 s, so kubelet probes and curious
 * operators do not multiply load on a struggling dependency.
 */
export class Readiness {
  private cached: { at: number; result: ReadinessResult } | undefined;
  private inflight: Promise<ReadinessResult> | undefined;

  constructor(
    private readonly checks: Readonly<Record<string, ReadinessCheck>>,
    private readonly now: () => number = Date.now,
  ) {}

  async evaluate(): Promise<ReadinessResult> {
    if (this.cached && this.now() - this.cached.at < CACHE_MS) return this.cached.result;
    this.inflight ??= this.run().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private async run(): Promise<ReadinessResult> {
    const entries = Object.entries(this.checks);
    const outcomes = await Promise.all(
      entries.map(async ([name, check]) => {
        try {
          await check();
          return [name, 'ok'] as const;
        } catch (err) {
          const e = err as { code?: string; message?: string };
          return [
            name,
            e.code ? `${e.code}: ${e.message ?? ''}`.trim() : (e.message ?? String(err)),
          ] as const;
        }
      }),
    );
    const checks = Object.fromEntries(outcomes);
    const result = { ready: outcomes.every(([, v]) => v === 'ok'), checks };
    this.cached = { at: this.now(), result };
    return result;
  }
}
