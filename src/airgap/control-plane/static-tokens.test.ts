import { InvalidInputError } from '../../errors/invalid-input-error.js';
import { newToken, renderTokenFile } from './static-tokens.js';

describe('static token file', () => {
  it('writes one CSV line per token with the groups quoted', () => {
    expect(
      renderTokenFile([
        { token: 't1', user: 'admin', uid: 'u1', groups: ['system:masters', 'ops'] },
        { token: 't2', user: 'viewer', uid: 'u2', groups: [] },
      ]),
    ).toBe('t1,admin,u1,"system:masters,ops"\nt2,viewer,u2\n');
  });

  it('refuses a field that would break the CSV', () => {
    expect(() => renderTokenFile([{ token: 't', user: 'a,b', uid: 'u', groups: [] }])).toThrow(
      InvalidInputError,
    );
  });

  it('makes distinct 64-hex-digit tokens', () => {
    const a = newToken();
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(newToken()).not.toBe(a);
  });
});
