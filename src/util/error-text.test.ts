import { runInNewContext } from 'node:vm';
import { errorText } from './error-text.js';

describe('errorText', () => {
  it('joins an error and its causes', () => {
    const err = new TypeError('fetch failed', {
      cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
    });
    expect(errorText(err)).toBe('fetch failed: connect ECONNREFUSED 127.0.0.1:1');
  });

  it('handles errors from another realm and non-errors', () => {
    const foreign: unknown = runInNewContext('new Error("from elsewhere")');
    expect(foreign instanceof Error).toBe(false);
    expect(errorText(foreign)).toBe('from elsewhere');
    expect(errorText('plain')).toBe('plain');
    expect(errorText(undefined)).toBe('unknown error');
  });
});
