/** Longest line handed on in one piece; longer output is split so one runaway line cannot exhaust memory. */
export const MAX_LINE_CHARS = 64 * 1024;

/**
 * Turns a stream of text chunks into lines. Handles `\n` and `\r\n`, lines split across chunks,
 * and a last line without a newline (emitted by `end()`).
 */
export class LineSplitter {
  private partial = '';

  constructor(
    private readonly emit: (line: string) => void,
    private readonly maxChars = MAX_LINE_CHARS,
  ) {}

  push(chunk: string): void {
    let text = this.partial + chunk;
    let nl = text.indexOf('\n');
    while (nl !== -1) {
      let line = text.slice(0, nl);
      if (line.endsWith('\r')) line = line.slice(0, -1);
      this.emitBounded(line);
      text = text.slice(nl + 1);
      nl = text.indexOf('\n');
    }
    while (text.length > this.maxChars) {
      this.emit(text.slice(0, this.maxChars));
      text = text.slice(this.maxChars);
    }
    this.partial = text;
  }

  end(): void {
    if (this.partial !== '') {
      const rest = this.partial.endsWith('\r') ? this.partial.slice(0, -1) : this.partial;
      this.partial = '';
      this.emitBounded(rest);
    }
  }

  private emitBounded(line: string): void {
    for (let i = 0; i < line.length; i += this.maxChars) this.emit(line.slice(i, i + this.maxChars));
    if (line.length === 0) this.emit('');
  }
}
