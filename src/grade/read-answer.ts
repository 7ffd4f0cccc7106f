import { lstat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { excerpt } from '../util/escape-text.js';
import { FileTooLargeError, NotRegularFileError, readRegularFile } from '../util/safe-fs.js';
import { emptyAnswer, parseAnswer, type ParsedAnswer } from './answer.js';

/** Answers are short lists of ids; this leaves room for ITBench-style reasoning on every entry. */
export const MAX_ANSWER_BYTES = 8 * 1024 ** 2;

export interface ReadAnswerOptions {
  /**
   * The answers directory the file was found in (corpus mode): no folder between it and the file may be
   * a symbolic link either, so an agent cannot point `<answers>/<bundleId>/` elsewhere.
   */
  root?: string;
}

/**
 * Reads an answer file. Never throws: a missing, empty or malformed file becomes an empty answer with a
 * warning naming the file, so one broken agent run scores 0 instead of stopping a corpus. Answers come
 * from the agents being graded, so the file is opened without following a symbolic link (one to
 * /etc/shadow would otherwise be read and quoted), only a regular file is read (a FIFO would hang the
 * grader), at most MAX_ANSWER_BYTES, and what is quoted back from it is short and escaped.
 */
export async function readAnswerFile(path: string, opts: ReadAnswerOptions = {}): Promise<ParsedAnswer> {
  let bytes: Buffer;
  try {
    if (opts.root !== undefined) await refuseLinkedFolders(opts.root, path);
    bytes = await readRegularFile(path, { maxBytes: MAX_ANSWER_BYTES });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return emptyAnswer(`answer file ${path} not found; scored 0`);
    if (err instanceof NotRegularFileError)
      return emptyAnswer(
        err.path !== path
          ? `answer ${path}: its folder ${err.path} is a ${err.kind}; not read, scored 0`
          : err.kind === 'directory'
            ? `answer ${path} is a directory, not a JSON file; scored 0`
            : `answer ${path} is a ${err.kind}, not a regular file; not read, scored 0`,
      );
    if (err instanceof FileTooLargeError)
      return emptyAnswer(`answer file ${path} is larger than ${MAX_ANSWER_BYTES} bytes; not read, scored 0`);
    return emptyAnswer(`answer file ${path} unreadable (${code ?? (err as Error).message}); scored 0`);
  }
  // editors on Windows save UTF-8 with a byte order mark; JSON.parse refuses it, a scenario loader does not
  let text = bytes.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === '') return emptyAnswer(`answer file ${path} is empty; scored 0`);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    return emptyAnswer(
      `answer file ${path} is not valid JSON (${excerpt((err as Error).message)}); scored 0`,
    );
  }
  const parsed = parseAnswer(doc);
  return { entries: parsed.entries, warnings: parsed.warnings.map((w) => `${path}: ${w}`) };
}

async function refuseLinkedFolders(root: string, path: string): Promise<void> {
  const rel = relative(root, path);
  const parts = rel.split(sep);
  if (rel.startsWith('..') || parts.length < 2) return;
  for (let i = 1; i < parts.length; i++) {
    const dir = join(root, ...parts.slice(0, i));
    const st = await lstat(dir);
    if (st.isSymbolicLink()) throw new NotRegularFileError(dir, 'symbolic link');
  }
}
