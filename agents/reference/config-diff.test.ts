import { configFileDiff } from './config-diff.js';

describe('configFileDiff', () => {
  const before = '{\n  "logLevel": "info",\n  "timeoutsMs": { "payment": 2000 }\n}\n';

  it('calls a change that only turns logging up or down logging only', () => {
    expect(configFileDiff(before, before.replace('"info"', '"debug"'))).toEqual({
      changes: ['logLevel → "debug"'],
      loggingOnly: true,
    });
  });

  it('lists every other change, and says nothing of text that is not JSON', () => {
    expect(configFileDiff(before, before.replace('2000', '25'))).toEqual({
      changes: ['timeoutsMs.payment → 25'],
      loggingOnly: false,
    });
    expect(
      configFileDiff(before, before.replace('"info"', '"debug"').replace('2000', '25'))?.loggingOnly,
    ).toBe(false);
    expect(configFileDiff(before, before.slice(0, 20))).toBeUndefined();
  });
});
