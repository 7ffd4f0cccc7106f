import { settingsFor } from './settings.js';
import type { SettingsStore } from './settings-store.js';

export interface SettingsPollerOptions {
  service: string;
  flagsUrl: string;
  intervalMs: number;
  store: SettingsStore;
}

/**
 * Polls `GET <flagsUrl>/flags?service=<name>` with plain fetch: deliberately outside tracing, metrics and
 * access logs, so the polling never shows in the shop's telemetry. An unreachable flags service keeps the
 * last known settings.
 */
export class SettingsPoller {
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(private readonly opts: SettingsPollerOptions) {}

  start(): void {
    void this.poll();
    this.timer = setInterval(() => void this.poll(), this.opts.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One poll; exposed so tests and start-up can apply settings without waiting for the interval. */
  async poll(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      const url = `${this.opts.flagsUrl}/flags?service=${encodeURIComponent(this.opts.service)}`;
      const res = await fetch(url, { signal: AbortSignal.timeout(Math.min(1500, this.opts.intervalMs * 2)) });
      if (!res.ok) return;
      const doc: unknown = await res.json();
      if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return;
      // Invalid values are left out (the flags API refuses them first); like every setting, silently.
      const { settings } = settingsFor(this.opts.service, doc as Record<string, unknown>);
      this.opts.store.update(settings);
    } catch {
      // unreachable or slow flags service: keep what we have
    } finally {
      this.running = false;
    }
  }
}
