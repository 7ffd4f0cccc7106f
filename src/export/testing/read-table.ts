import { readFile } from 'node:fs/promises';

/**
 * Reads a delimited table the way pandas' read_csv does for QUOTE_MINIMAL files (quoted fields may hold
 * the separator, doubled quotes and line breaks), so tests check what the target harnesses would parse.
 */
export async function readTable(
  path: string,
  sep: '\t' | ',',
): Promise<{ header: string[]; rows: Array<Record<string, string>> }> {
  const text = await readFile(path, 'utf8');
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === sep) {
      record.push(field);
      field = '';
    } else if (c === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  const [header, ...body] = records;
  for (const [n, r] of body.entries())
    if (r.length !== header.length)
      throw new Error(`${path}: row ${n + 1} has ${r.length} fields, header ${header.length}`);
  return { header, rows: body.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]]))) };
}
