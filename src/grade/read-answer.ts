import { readFile } from 'node:fs/promises';
import { emptyAnswer, parseAnswer, type ParsedAnswer } from './answer.js';

/**
 * Reads an answer file. Never throws: a missing, empty or malformed file becomes an empty answer with a
 * warning naming the file, so one broken agent run scores 0 instead of stopping a corpus.
 */
export async function readAnswerFile(path: string): Promise<ParsedAnswer> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return emptyAnswer(`answer file ${path} not found; scored 0`);
    if (code === 'EISDIR') return emptyAnswer(`answer ${path} is a directory, not a JSON file; scored 0`);
    return emptyAnswer(`answer file ${path} unreadable (${(err as Error).message}); scored 0`);
  }
  if (text.trim() === '') return emptyAnswer(`answer file ${path} is empty; scored 0`);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    return emptyAnswer(`answer file ${path} is not valid JSON (${(err as Error).message}); scored 0`);
  }
  const parsed = parseAnswer(doc);
  return { entries: parsed.entries, warnings: parsed.warnings.map((w) => `${path}: ${w}`) };
}
