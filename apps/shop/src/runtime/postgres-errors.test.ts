import { describe, expect, test } from '@jest/globals';
import { postgresCode } from './postgres-errors.js';

const err = (message: string, code?: string) => Object.assign(new Error(message), { code });

describe('postgresCode', () => {
  test('names the SQLSTATEs an operator meets in incidents', () => {
    expect(postgresCode(err('sorry, too many clients already', '53300'))).toBe('too_many_connections');
    expect(postgresCode(err('canceling statement due to statement timeout', '57014'))).toBe('query_canceled');
    expect(postgresCode(err('deadlock detected', '40P01'))).toBe('deadlock_detected');
  });

  test('keeps an unlisted SQLSTATE recognisable, and socket codes as they are', () => {
    expect(postgresCode(err('x', '22P02'))).toBe('SQLSTATE_22P02');
    expect(postgresCode(err('connect ECONNREFUSED 10.0.0.1:5432', 'ECONNREFUSED'))).toBe('ECONNREFUSED');
    expect(postgresCode(err('Connection terminated unexpectedly'))).toBe('ECONNRESET');
    expect(postgresCode(err('something else'))).toBe('EPG');
  });
});
