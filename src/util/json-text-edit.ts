/**
 * Edits one value of a JSON document in its text, leaving every other byte as it was (layout, key order,
 * spacing): how an operator edits a config file by hand, and what a diff of the file then shows. Returns
 * undefined when the text is not JSON or the path does not lead to an existing value.
 */
export function setJsonValueInText(
  text: string,
  path: readonly string[],
  value: unknown,
): string | undefined {
  let span: { start: number; end: number } | undefined;
  try {
    const p = new Scanner(text, path);
    p.value([]);
    p.skipSpace();
    if (p.at !== text.length) return undefined;
    span = p.found;
  } catch {
    return undefined;
  }
  if (!span) return undefined;
  return `${text.slice(0, span.start)}${JSON.stringify(value)}${text.slice(span.end)}`;
}

class Scanner {
  at = 0;
  found: { start: number; end: number } | undefined;

  constructor(
    private readonly text: string,
    private readonly target: readonly string[],
  ) {}

  skipSpace(): void {
    while (/\s/.test(this.text[this.at] ?? '')) this.at++;
  }

  private expect(ch: string): void {
    if (this.text[this.at] !== ch) throw new Error(`expected ${ch} at ${this.at}`);
    this.at++;
  }

  value(path: string[]): void {
    this.skipSpace();
    const start = this.at;
    const ch = this.text[this.at];
    if (ch === '{') this.object(path);
    else if (ch === '[') this.array(path);
    else if (ch === '"') this.string();
    else {
      const m = /^(-?\d+(\.\d+)?([eE][+-]?\d+)?|true|false|null)/.exec(this.text.slice(this.at));
      if (!m) throw new Error(`unexpected ${ch ?? 'end'} at ${this.at}`);
      this.at += m[0].length;
    }
    if (path.length === this.target.length && path.every((k, i) => k === this.target[i]))
      this.found = { start, end: this.at };
  }

  private string(): string {
    const start = this.at;
    this.expect('"');
    while (this.text[this.at] !== '"') {
      if (this.at >= this.text.length) throw new Error('unterminated string');
      this.at += this.text[this.at] === '\\' ? 2 : 1;
    }
    this.at++;
    return JSON.parse(this.text.slice(start, this.at)) as string;
  }

  private object(path: string[]): void {
    this.list('{', '}', () => {
      this.skipSpace();
      const key = this.string();
      this.skipSpace();
      this.expect(':');
      this.value([...path, key]);
    });
  }

  private array(path: string[]): void {
    let i = 0;
    this.list('[', ']', () => this.value([...path, String(i++)]));
  }

  /** `open item, item… close`, possibly empty. */
  private list(open: string, close: string, item: () => void): void {
    this.expect(open);
    this.skipSpace();
    if (this.text[this.at] === close) {
      this.at++;
      return;
    }
    for (;;) {
      item();
      this.skipSpace();
      if (this.text[this.at] !== ',') break;
      this.at++;
    }
    this.expect(close);
  }
}
