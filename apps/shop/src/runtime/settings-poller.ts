import type { Logger } from 'pino';
import { settingsFor } from './settings.js';
import type { SettingsStore } from './settings-store.js';

export interface SettingsPollerOptions {
  service: string;
  flagsUrl: string;
  intervalMs: number;
  store: SettingsStore;
  logger: Logger;
}

/**
 * Polls `GET <flagsUrl>/flags?service=<name>` with plain fetch: deliberately outside tracing, metrics and
 * access logs, so the polling never shows in the shop's telemetry. An unreachable flags service keeps the
 * last known settings.
 */
export class SettingsPoller {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private lastRejected = '';

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
      const { settings, rejected } = settingsFor(this.opts.service, doc as Record<string, unknown>);
      const rejectedKey = rejected.join('|');
      if (rejectedKey !== this.lastRejected && rejected.length > 0) {
        this.opts.logger.debug({ rejected }, 'ignoring invalid runtime settings');
      }
      this.lastRejected = rejectedKey;
      const change = this.opts.store.update(settings);
      if (change) this.opts.logger.debug(change);
    } catch {
      // unreachable or slow flags service: keep what we have
    } finally {
      this.running = false;
    }
  }
}
