import { randomBytes } from 'node:crypto';
import { InvalidInputError } from '../../errors/invalid-input-error.js';

/** One line of kube-apiserver's `--token-auth-file`. */
export interface StaticToken {
  token: string;
  user: string;
  uid: string;
  groups: readonly string[];
}

/** 32 random bytes as hex: unguessable, and free of the commas and quotes the CSV format cares about. */
export function newToken(): string {
  return randomBytes(32).toString('hex');
}

/** The token file: `token,user,uid,"group1,group2"` per line. */
export function renderTokenFile(tokens: readonly StaticToken[]): string {
  return tokens
    .map((t) => {
      for (const field of [t.token, t.user, t.uid, ...t.groups]) {
        if (/[",\n]/.test(field))
          throw new InvalidInputError(`token file field "${field}" must not contain , " or a newline`);
      }
      const groups = t.groups.length > 0 ? `,"${t.groups.join(',')}"` : '';
      return `${t.token},${t.user},${t.uid}${groups}\n`;
    })
    .join('');
}
