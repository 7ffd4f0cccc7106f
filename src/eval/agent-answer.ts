import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { ANSWER_MAX_BYTES } from './contract.js';

/** What an agent left at its answer path. */
export type AgentAnswer =
  | { kind: 'missing'; why: string }
  | { kind: 'malformed'; why: string; text: string | null }
  | { kind: 'ok'; doc: unknown; text: string; bytes: number };

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Reads the answer the way a harness must read what an untrusted process wrote: a symbolic link is not
 * followed (it could point at anything firedrill can read), only a regular file of at most
 * ANSWER_MAX_BYTES is read, and the document must be `{"entities": [...]}` (a bare array is graded, as
 * `grade` does, with a warning from the parser).
 */
export async function readAgentAnswer(path: string): Promise<AgentAnswer> {
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { kind: 'missing', why: 'no answer file written' };
    if (code === 'ELOOP')
      return { kind: 'malformed', why: 'the answer is a symbolic link (not followed)', text: null };
    return {
      kind: 'malformed',
      why: `the answer cannot be read (${code ?? (err as Error).message})`,
      text: null,
    };
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) return { kind: 'malformed', why: 'the answer is not a regular file', text: null };
    if (info.size > ANSWER_MAX_BYTES)
      return {
        kind: 'malformed',
        why: `the answer is ${info.size} bytes, over the ${ANSWER_MAX_BYTES}-byte limit`,
        text: null,
      };
    const buf = Buffer.alloc(ANSWER_MAX_BYTES + 1);
    let len = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buf, len, buf.length - len, len);
      if (bytesRead === 0) break;
      len += bytesRead;
      if (len > ANSWER_MAX_BYTES)
        return {
          kind: 'malformed',
          why: `the answer grew over the ${ANSWER_MAX_BYTES}-byte limit`,
          text: null,
        };
    }
    const text = buf.subarray(0, len).toString('utf8');
    if (text.trim() === '') return { kind: 'missing', why: 'the answer file is empty' };
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (err) {
      return { kind: 'malformed', why: `not valid JSON (${(err as Error).message})`, text };
    }
    if (!Array.isArray(doc) && !(isRecord(doc) && Array.isArray(doc.entities))) {
      const why = isRecord(doc)
        ? '"entities" is missing or not an array'
        : `the document is ${doc === null ? 'null' : typeof doc}`;
      return { kind: 'malformed', why: `${why}; expected {"entities": [...]}`, text };
    }
    return { kind: 'ok', doc, text, bytes: len };
  } finally {
    await handle.close();
  }
}
