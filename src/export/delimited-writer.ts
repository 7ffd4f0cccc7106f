import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';

export type Cell = string | number | boolean | null | undefined;

/**
 * One field as pandas' `to_csv` (QUOTE_MINIMAL) writes it, which is how both target harnesses read
 * their tables back (`pd.read_csv(path, sep="\t")`): a field holding the separator, a quote or a line
 * break is quoted with `"` and inner quotes are doubled; null and undefined are empty.
 */
export function formatField(value: Cell, sep: string): string {
  if (value === null || value === undefined) return '';
  const s = String(value);
  return s.includes(sep) || s.includes('"') || s.includes('\n') || s.includes('\r')
    ? `"${s.replace(/"/g, '""')}"`
    : s;
}

/** Streams a delimited table (header first, `\n` line ends) and counts its data rows. */
export class DelimitedWriter {
  private readonly stream: WriteStream;
  private buffer = '';
  rows = 0;

  constructor(
    readonly path: string,
    readonly columns: readonly string[],
    private readonly sep: '\t' | ',',
  ) {
    this.stream = createWriteStream(path, { flags: 'wx', mode: 0o644 });
    this.buffer = `${columns.map((c) => formatField(c, sep)).join(sep)}\n`;
  }

  async row(values: readonly Cell[]): Promise<void> {
    if (values.length !== this.columns.length)
      throw new Error(`${this.path}: row has ${values.length} fields, header has ${this.columns.length}`);
    this.buffer += `${values.map((v) => formatField(v, this.sep)).join(this.sep)}\n`;
    this.rows++;
    if (this.buffer.length >= 1 << 20) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.buffer === '') return;
    const chunk = this.buffer;
    this.buffer = '';
    if (!this.stream.write(chunk)) await once(this.stream, 'drain');
  }

  async close(): Promise<void> {
    await this.flush();
    await new Promise<void>((resolve, reject) => {
      this.stream.once('error', reject);
      this.stream.end(() => resolve());
    });
  }
}

/** Writes a whole table and returns its row count. */
export async function writeTable(
  path: string,
  columns: readonly string[],
  sep: '\t' | ',',
  rows: Iterable<readonly Cell[]> | AsyncIterable<readonly Cell[]>,
): Promise<number> {
  const w = new DelimitedWriter(path, columns, sep);
  try {
    for await (const r of rows) await w.row(r);
  } finally {
    await w.close();
  }
  return w.rows;
}
