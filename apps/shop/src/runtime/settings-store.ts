import { describeChange, type RuntimeSettings } from './settings.js';

export type SettingsListener = (next: RuntimeSettings, prev: RuntimeSettings) => void;

/** The current runtime settings of this process; components read `current` or subscribe to changes. */
export class SettingsStore {
  private value: RuntimeSettings = {};
  private readonly listeners: SettingsListener[] = [];

  get current(): RuntimeSettings {
    return this.value;
  }

  onChange(listener: SettingsListener): void {
    this.listeners.push(listener);
  }

  /** Replaces the settings; returns the operator sentence describing the change, or undefined if none. */
  update(next: RuntimeSettings): string | undefined {
    const prev = this.value;
    const change = describeChange(prev, next);
    if (change === undefined) return undefined;
    this.value = next;
    for (const l of this.listeners) l(next, prev);
    return change;
  }
}
