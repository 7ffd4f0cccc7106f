import { InvalidInputError } from '../../errors/invalid-input-error.js';

/** An integer option's value, at least `min`; anything else is a usage error naming the flag. */
export function integerOption(text: string, flag: string, min: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min)
    throw new InvalidInputError(`${flag} must be an integer >= ${min}, got "${text}"`);
  return n;
}
