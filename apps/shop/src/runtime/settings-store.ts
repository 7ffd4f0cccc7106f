import { SETTING_NAMES, type RuntimeSettings } from './settings.js';

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
   * Replaces the settings and tells the listeners when any changed; whether any did. Nothing is logged:
   * the settings are the testbed's levers (a slow code path, a bug, a leak, a wrong endpoint), and a line
   * saying one changed would name a fault's target and second to anyone reading debug logs, which
   * background may switch on.
   */
  update(next: RuntimeSettings): boolean {
    const prev = this.value;
    if (SETTING_NAMES.every((name) => JSON.stringify(prev[name]) === JSON.stringify(next[name])))
      return false;
    this.value = next;
    for (const l of this.listeners) l(next, prev);
    return true;
  }
}
