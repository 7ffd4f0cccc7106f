import { describe, expect, it } from '@jest/globals';
import { setJsonValueInText } from './json-text-edit.js';

const config = `{
  "logLevel": "info",
  "timeoutsMs": { "cart": 2000, "payment": 2000 },
  "db": { "poolMax": 5, "acquireTimeoutMs": 1000 }
}
`;

describe('setJsonValueInText', () => {
  it('changes one value and keeps every other byte', () => {
    const out = setJsonValueInText(config, ['timeoutsMs', 'payment'], 25);
    expect(out).toBe(config.replace('"payment": 2000', '"payment": 25'));
    expect(setJsonValueInText(config, ['logLevel'], 'debug')).toBe(config.replace('"info"', '"debug"'));
    expect(setJsonValueInText('[1, {"a": [2, 3]}]', ['1', 'a', '0'], 'x')).toBe('[1, {"a": ["x", 3]}]');
  });

  it('gives up on a path that leads nowhere, and on text that is not JSON', () => {
    expect(setJsonValueInText(config, ['timeoutsMs', 'shipping'], 1)).toBeUndefined();
    expect(setJsonValueInText(config.slice(0, 40), ['logLevel'], 'x')).toBeUndefined();
    expect(setJsonValueInText(`${config} trailing`, ['logLevel'], 'x')).toBeUndefined();
  });
});
