import {
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  visit,
  type Document,
  type Node,
  type Pair,
} from 'yaml';
import type { ScenarioProblem } from '../errors/scenario-error.js';
import { MAX_YAML_ALIASES, nestingProblem } from './yaml-limits.js';

export type PathSegment = string | number;

export interface Position {
  line: number;
  col: number;
}

/** Where a path points: `value` for a problem with the value, `key` for a problem with the field itself. */
export type Anchor = 'value' | 'key';

/**
 * A parsed YAML document that can say at which line and column any field path sits, so problems found on
 * plain JS data (by zod or by semantic checks) are reported where the author wrote them.
 */
export class YamlSource {
  readonly file: string;
  private readonly doc: Document.Parsed;
  private readonly lines: LineCounter;

  private constructor(file: string, doc: Document.Parsed, lines: LineCounter) {
    this.file = file;
    this.doc = doc;
    this.lines = lines;
  }

  /**
   * Parses one YAML document. Syntax errors, duplicate keys, extra documents and YAML that would cost
   * more than any scenario needs (nesting, aliases) come back as problems; when there are any the data is
   * not trustworthy and `data` is undefined. Never throws for any text.
   */
  static parse(
    text: string,
    file: string,
  ): { source: YamlSource; data?: unknown; problems: ScenarioProblem[] } {
    const lines = new LineCounter();
    const refuse = (offset: number, message: string) => {
      const empty = new YamlSource(file, parseDocument(''), lines);
      // the parser never ran, so the line counter knows no line starts: count them here
      const before = text.slice(0, offset);
      const line = before.split('\n').length;
      const col = offset - (before.lastIndexOf('\n') + 1) + 1;
      return { source: empty, problems: [{ file, line, col, path: '', message: `YAML: ${message}` }] };
    };
    // before the parser: past a few thousand levels its recursion aborts the whole process
    const deep = nestingProblem(text);
    if (deep) return refuse(deep.offset, deep.message);
    let doc: Document.Parsed;
    try {
      doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
    } catch (err) {
      return refuse(0, `cannot be parsed (${firstLine(err instanceof Error ? err.message : String(err))})`);
    }
    const source = new YamlSource(file, doc, lines);
    const problems = doc.errors.map((e) => {
      const at = source.position(e.pos[0]);
      if (e.code === 'DUPLICATE_KEY') {
        const dup = source.duplicateKeyAt(e.pos[0]);
        if (dup) {
          const first = source.position(dup.firstOffset);
          const message = `duplicate key "${dup.key}"; first given at line ${first.line}`;
          return { file, ...at, path: dup.path.join('.'), message };
        }
      }
      if (e.code === 'MULTIPLE_DOCS')
        return {
          file,
          ...at,
          path: '',
          message: 'YAML: a second document (after ---); a scenario file holds exactly one',
        };
      return { file, ...at, path: '', message: `YAML: ${firstLine(e.message)}` };
    });
    if (problems.length > 0) return { source, problems };
    const aliases: Node[] = [];
    visit(doc, {
      Alias: (_key, node) => {
        aliases.push(node);
      },
    });
    if (aliases.length > MAX_YAML_ALIASES) {
      const extra = aliases[MAX_YAML_ALIASES];
      return {
        source,
        problems: [
          {
            file,
            ...source.position(hasRange(extra) ? extra.range[0] : 0),
            path: '',
            message: `YAML: more than ${MAX_YAML_ALIASES} aliases (*name); write the values out instead`,
          },
        ],
      };
    }
    try {
      return { source, data: doc.toJS({ maxAliasCount: 100 }), problems };
    } catch (err) {
      // anchors referencing anchors: a few lines that would expand into millions of nodes
      const first = aliases[0];
      const at = source.position(first && hasRange(first) ? first.range[0] : 0);
      const why =
        err instanceof ReferenceError && /alias/i.test(err.message)
          ? /Excessive/.test(err.message)
            ? 'aliases here expand into too large a document (anchors that alias anchors); write the values out'
            : firstLine(err.message)
          : `cannot be read (${firstLine(err instanceof Error ? err.message : String(err))})`;
      return { source, problems: [{ file, ...at, path: '', message: `YAML: ${why}` }] };
    }
  }

  /** 1-based line and column of a character offset. */
  position(offset: number): Position {
    const p = this.lines.linePos(offset);
    return { line: p.line, col: p.col };
  }

  /**
   * Position of a path. A path whose last fields are absent (a required field left out) points at the
   * deepest mapping that exists; a value left empty (`seed:`) points at its key.
   */
  locate(path: readonly PathSegment[], anchor: Anchor = 'value'): Position {
    let node: unknown = this.doc.contents;
    let pair: Pair | undefined;
    for (const seg of path) {
      node = this.deref(node);
      if (isMap(node)) {
        const found = node.items.find((p) => isPair(p) && keyText(p.key) === String(seg));
        if (!found) return this.nodeStart(node, pair);
        pair = found;
        node = found.value;
      } else if (isSeq(node) && typeof seg === 'number' && seg < node.items.length) {
        pair = undefined;
        node = node.items[seg];
      } else {
        return this.nodeStart(node, pair);
      }
    }
    if (anchor === 'key' && pair) return this.nodeStart(pair.key, undefined);
    return this.nodeStart(this.deref(node), pair);
  }

  /**
   * The field path of a repeated key whose second occurrence starts at `offset`, and where the first one
   * starts, so a duplicate is reported at its own path rather than at the root.
   */
  duplicateKeyAt(offset: number): { path: PathSegment[]; key: string; firstOffset: number } | undefined {
    const search = (node: unknown, path: PathSegment[]): ReturnType<YamlSource['duplicateKeyAt']> => {
      if (isMap(node)) {
        for (const pair of node.items) {
          if (!isPair(pair)) continue;
          const key = keyText(pair.key);
          if (key !== undefined && hasRange(pair.key) && pair.key.range[0] === offset) {
            const first = node.items.find((p) => isPair(p) && keyText(p.key) === key);
            const firstOffset = first && hasRange(first.key) ? first.key.range[0] : offset;
            return { path: [...path, key], key, firstOffset };
          }
          if (key !== undefined && hasRange(pair.value) && within(pair.value, offset)) {
            const r = search(pair.value, [...path, key]);
            if (r) return r;
          }
        }
      } else if (isSeq(node)) {
        for (let i = 0; i < node.items.length; i++) {
          const item = node.items[i];
          if (hasRange(item) && within(item, offset)) {
            const r = search(item, [...path, i]);
            if (r) return r;
          }
        }
      }
      return undefined;
    };
    return search(this.doc.contents, []);
  }

  /** True when the path names a field that is not in the document at all. */
  isMissing(path: readonly PathSegment[]): boolean {
    if (path.length === 0) return false;
    let node: unknown = this.doc.contents;
    for (const seg of path) {
      node = this.deref(node);
      if (isMap(node)) {
        const found = node.items.find((p) => isPair(p) && keyText(p.key) === String(seg));
        if (!found) return true;
        node = found.value;
      } else if (isSeq(node) && typeof seg === 'number') {
        if (seg >= node.items.length) return true;
        node = node.items[seg];
      } else {
        return node == null;
      }
    }
    return node == null;
  }

  private deref(node: unknown): unknown {
    return isAlias(node) ? node.resolve(this.doc) : node;
  }

  private nodeStart(node: unknown, owner: Pair | undefined): Position {
    const empty = node == null || (isScalar(node) && node.value === null && !node.source);
    if (empty || !hasRange(node)) {
      if (owner && hasRange(owner.key)) return this.position(owner.key.range[0]);
      return { line: 1, col: 1 };
    }
    // A mapping that is the value of a field is named by its key: `spec:` rather than its first entry.
    if (owner && isMap(node) && hasRange(owner.key)) return this.position(owner.key.range[0]);
    return this.position(node.range[0]);
  }
}

function hasRange(node: unknown): node is Node & { range: [number, number, number] } {
  return typeof node === 'object' && node !== null && Array.isArray((node as Node).range);
}

function within(node: { range: [number, number, number] }, offset: number): boolean {
  return offset >= node.range[0] && offset < node.range[2];
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return undefined;
}

function firstLine(message: string): string {
  return message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
}
