import { describe, expect, it } from '@jest/globals';
import { becameActiveSince } from './wait-for-incident.js';

describe('becameActiveSince', () => {
  const t0 = Date.parse('2026-01-01T00:01:00Z');
  it('counts an alert active from the first fault on (a second of slack), or one that does not say', () => {
    expect(becameActiveSince('2026-01-01T00:01:05Z', t0)).toBe(true);
    expect(becameActiveSince('2026-01-01T00:00:59.500Z', t0)).toBe(true);
    expect(becameActiveSince(undefined, t0)).toBe(true);
  });
  it('does not count one active before it: the run’s background', () => {
    expect(becameActiveSince('2026-01-01T00:00:30Z', t0)).toBe(false);
  });
});
