import { describe, expect, test } from '@jest/globals';
import { SettingsStore } from './settings-store.js';
import type { RuntimeSettings } from './settings.js';

describe('SettingsStore', () => {
  test('applies and announces a change of a setting no service logs, with no sentence for the log', () => {
    const store = new SettingsStore();
    const seen: RuntimeSettings[] = [];
    store.onChange((next) => seen.push(next));
    expect(store.update({ latency: { ms: 600, probability: 1 } })).toBeUndefined();
    expect(store.current).toEqual({ latency: { ms: 600, probability: 1 } });
    expect(seen).toHaveLength(1);
    // the same settings again: nothing changed, nobody told
    expect(store.update({ latency: { ms: 600, probability: 1 } })).toBeUndefined();
    expect(seen).toHaveLength(1);
  });

  test('returns the sentence for a runtime flag a real service logs', () => {
    const store = new SettingsStore();
    expect(store.update({ cache: { enabled: false } })).toBe('runtime settings updated: cache disabled');
    expect(store.update({})).toBe('runtime settings updated: cache setting cleared');
  });
});
