import { durationSchema, formatDuration, parseDuration } from './duration.js';

describe('durations', () => {
  it.each([
    ['1500ms', 1500],
    ['30s', 30_000],
    ['2m', 120_000],
    ['1h', 3_600_000],
    ['1m30s', 90_000],
    ['1h2m3s4ms', 3_723_004],
    ['0s', 0],
    [' 5s ', 5000],
  ])('parses %j as %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['30', '', '5d', '2 minutes', '1.5s', '-1s', 's', '10S'])('refuses %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  it.each([
    [0, '0s'],
    [90_000, '1m30s'],
    [1500, '1s500ms'],
    [3_600_000, '1h'],
  ])('formats %d ms as %s, which parses back', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
    expect(parseDuration(text)).toBe(ms);
  });

  it('explains a bare number in the schema', () => {
    const r = durationSchema.safeParse(30);
    expect(r.success).toBe(false);
    expect(r.error?.issues[0].message).toMatch(/^30 has no unit; a duration is a number with a unit/);
  });
});
