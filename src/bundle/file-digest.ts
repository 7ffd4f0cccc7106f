import { createHash } from 'node:crypto';
import { openRegularFile } from '../util/safe-fs.js';
import { countJsonRecords, recordKind } from './count-records.js';

export type ContentProblemKind = 'invalid-json' | 'invalid-ndjson-line' | 'leak';

export interface ContentProblem {
  kind: ContentProblemKind;
  /** 1-based line number, when the problem sits on one line. */
  line?: number;
  message: string;
  /** For leaks: the text that matched. */
  term?: string;
}

export interface FileDigest {
  sha256: string;
  bytes: number;
  records: number;
  /** The content does not parse the way its extension promises. */
  problems: ContentProblem[];
  /** Leak findings (only when leak tokens were given). */
  warnings: ContentProblem[];
  /** The parsed document of a `.json` file that parsed. */
  json?: unknown;
}

export interface DigestOptions {
  /** Patterns that must not match any line (the leak rule, leak-rule.ts). */
  leakPatterns?: readonly RegExp[];
  /** Bad lines reported per file before the rest are summed up in one line. */
  maxLineProblems?: number;
  /**
   * Parse each `.ndjson` line (default true). The writer turns it off for files it serialised itself,
   * where every line is known to be a JSON object, and only needs the hash and the count.
   */
  parseLines?: boolean;
}

const NEWLINE = 0x0a;

/**
 * Reads a bundle file once: its SHA-256, size, record count (count-records.ts) and whether its content
 * parses (every `.ndjson` line a JSON object, every `.json` a JSON document). Only a regular file is
 * read, never through a symbolic link (NotRegularFileError otherwise).
 */
export async function digestFile(abs: string, rel: string, opts: DigestOptions = {}): Promise<FileDigest> {
  const kind = recordKind(rel);
  const maxLineProblems = opts.maxLineProblems ?? 10;
  const patterns = opts.leakPatterns ?? [];
  const parseLines = kind === 'ndjson' && opts.parseLines !== false;
  const hash = createHash('sha256');
  const problems: ContentProblem[] = [];
  const leaks = new Map<string, { line: number; lines: number }>();
  let bytes = 0;
  let lineNo = 0;
  let badLines = 0;
  const jsonChunks: Buffer[] = [];
  let partial: Buffer[] = [];

  const onLine = (buf: Buffer): void => {
    lineNo++;
    if (!parseLines && patterns.length === 0) return;
    const text = buf.toString('utf8');
    for (const re of patterns) {
      const m = re.exec(text);
      if (!m) continue;
      const t = m[0].toLowerCase();
      const seen = leaks.get(t);
      if (seen) seen.lines++;
      else leaks.set(t, { line: lineNo, lines: 1 });
    }
    if (!parseLines) return;
    const why = ndjsonLineProblem(text);
    if (why === null) return;
    badLines++;
    if (badLines <= maxLineProblems)
      problems.push({ kind: 'invalid-ndjson-line', line: lineNo, message: `line ${lineNo}: ${why}` });
  };

  const { fh } = await openRegularFile(abs);
  try {
    for await (const chunk of fh.createReadStream({ highWaterMark: 1 << 20, autoClose: false })) {
      const buf = chunk as Buffer;
      hash.update(buf);
      bytes += buf.length;
      if (kind === 'json') jsonChunks.push(buf);
      let start = 0;
      for (let nl = buf.indexOf(NEWLINE); nl !== -1; nl = buf.indexOf(NEWLINE, start)) {
        const piece = buf.subarray(start, nl);
        if (partial.length > 0) {
          partial.push(piece);
          onLine(Buffer.concat(partial));
          partial = [];
        } else onLine(piece);
        start = nl + 1;
      }
      if (start < buf.length) partial.push(buf.subarray(start));
    }
  } finally {
    await fh.close();
  }
  if (partial.length > 0) onLine(Buffer.concat(partial));

  if (badLines > maxLineProblems)
    problems.push({
      kind: 'invalid-ndjson-line',
      message: `${badLines - maxLineProblems} more invalid lines not listed`,
    });

  let records = lineNo;
  let json: unknown;
  if (kind === 'json') {
    try {
      json = JSON.parse(Buffer.concat(jsonChunks).toString('utf8'));
      records = countJsonRecords(rel, json);
    } catch (err) {
      problems.push({ kind: 'invalid-json', message: `invalid JSON (${(err as Error).message})` });
      records = 0;
    }
  }

  const warnings: ContentProblem[] = [...leaks].map(([token, at]) => ({
    kind: 'leak',
    line: at.line,
    term: token,
    message: `line ${at.line}: names ${JSON.stringify(token)}${at.lines > 1 ? ` (${at.lines} lines in all)` : ''}`,
  }));
  const digest: FileDigest = { sha256: hash.digest('hex'), bytes, records, problems, warnings };
  if (json !== undefined) digest.json = json;
  return digest;
}

function ndjsonLineProblem(text: string): string | null {
  if (text.trim() === '') return 'empty line';
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return `invalid JSON (${(err as Error).message})`;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not a JSON object';
  return null;
}
