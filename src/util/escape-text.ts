import { mapStrings } from './map-strings.js';
/**
 * Text from inputs (answer entries, scenario values, file names, archive entry names) reaches the
 * terminal inside messages. Control bytes in it could move the cursor, recolour or clear the screen
 * (ESC), ring the bell, hide text (NUL) or reorder it (bidirectional overrides); a newline could forge
 * a message line of its own. These become visible escapes: `\x1b`, `\u202e`.
 */

// C0 and C1 controls, DEL, soft hyphen, Arabic letter mark, Mongolian vowel separator, zero-width and
// bidirectional marks, line/paragraph separators, word joiner and invisible operators, BOM, annotation marks
const UNSAFE =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]/g;
const UNSAFE_KEEP_NEWLINE =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]/g;

function escapeChar(c: string): string {
  const code = c.charCodeAt(0);
  return code < 0x100
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** One line of text safe for a terminal: every control, newline included, escaped. */
export function escapeLine(text: string): string {
  return text.replace(UNSAFE, escapeChar);
}

/** A message of one or more lines: newlines kept, every other control escaped. */
export function escapeMessage(text: string): string {
  return text.replace(UNSAFE_KEEP_NEWLINE, escapeChar);
}

/** At most `max` characters of a text from an input, escaped, with `…` where it was cut. */
export function excerpt(text: string, max = 80): string {
  const chars = [...text];
  const cut = chars.length > max ? `${chars.slice(0, max).join('')}…` : text;
  return escapeLine(cut);
}

/**
 * A copy of a result with every string in it escaped as one line, for printing it as text, JSON or YAML
 * alike (JSON.stringify escapes C0 controls but leaves bidirectional overrides and C1 controls raw).
 */
export function escapeStrings<T>(value: T): T {
  return mapStrings(value, escapeLine, { keys: true });
}
