import { describeChange, SETTING_NAMES, type RuntimeSettings } from './settings.js';

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

  /**
   * Replaces the settings and tells the listeners when any changed; returns the operator sentence for the
   * change, undefined when nothing changed or only settings no service logs did (UNLOGGED_SETTINGS).
   */
  update(next: RuntimeSettings): string | undefined {
    const prev = this.value;
    if (SETTING_NAMES.every((name) => JSON.stringify(prev[name]) === JSON.stringify(next[name])))
      return undefined;
    this.value = next;
    for (const l of this.listeners) l(next, prev);
    return describeChange(prev, next);
  }
}
