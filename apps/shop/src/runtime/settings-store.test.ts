import { describe, expect, test } from '@jest/globals';
import { SettingsStore } from './settings-store.js';
import type { RuntimeSettings } from './settings.js';

describe('SettingsStore', () => {
  test('applies and announces a change, and only a change', () => {
    const store = new SettingsStore();
    const seen: RuntimeSettings[] = [];
    store.onChange((next) => seen.push(next));
    expect(store.update({ latency: { ms: 600, probability: 1 } })).toBe(true);
    expect(store.current).toEqual({ latency: { ms: 600, probability: 1 } });
    expect(seen).toHaveLength(1);
    // the same settings again: nothing changed, nobody told
    expect(store.update({ latency: { ms: 600, probability: 1 } })).toBe(false);
    expect(seen).toHaveLength(1);
    expect(store.update({})).toBe(true);
    expect(seen).toEqual([{ latency: { ms: 600, probability: 1 } }, {}]);
  });
});
