/**
 * Bounds on a scenario's YAML checked before the parser sees it. A real scenario is a few kilobytes,
 * nested about six levels, with an alias or two at most; hostile ones are not: a 50 MB file took 24 s
 * and 1.8 GB, an alias bomb expands a few lines into millions of nodes, and a few thousand levels of
 * nesting (`- - - - …` on one line) exhaust the parser's stack so deep that V8 aborts the process,
 * which no try/catch can turn into a message.
 */

/** Scenario files larger than this are refused unread. */
export const MAX_SCENARIO_BYTES = 1024 * 1024;
/** Alias nodes (`*name`) per file. */
export const MAX_YAML_ALIASES = 64;
/** Nesting levels of mappings, sequences and flow collections. */
export const MAX_YAML_DEPTH = 64;

export interface LimitProblem {
  /** 0-based character offset where the limit was crossed. */
  offset: number;
  message: string;
}

/**
 * The first place `text` nests deeper than MAX_YAML_DEPTH, or null. An estimate erring on the deep side:
 * block levels from the stack of indentations plus compact `- `/`? ` indicators opening a line, flow
 * levels from `[`/`{` where a flow collection may start (not inside quotes, comments or plain text such
 * as `a [b`).
 */
export function nestingProblem(text: string): LimitProblem | null {
  const indents: number[] = [];
  let flow = 0;
  let quote: '"' | "'" | null = null;
  let offset = 0;
  const tooDeep = (at: number): LimitProblem => ({
    offset: at,
    message: `nested more than ${MAX_YAML_DEPTH} levels deep; a scenario needs about six`,
  });
  for (const line of text.split('\n')) {
    const start = offset;
    offset += line.length + 1;
    let i = 0;
    if (quote === null && flow === 0) {
      while (i < line.length && line[i] === ' ') i++;
      if (i === line.length || line[i] === '#' || line[i] === '\r') continue;
      while (indents.length > 0 && indents[indents.length - 1] >= i) indents.pop();
      indents.push(i);
      // compact nesting: `- - - x`, `? - x`
      let compact = 0;
      while (
        i + 1 < line.length &&
        (line[i] === '-' || line[i] === '?') &&
        (line[i + 1] === ' ' || line[i + 1] === '\t')
      ) {
        compact++;
        i += 2;
        while (i < line.length && line[i] === ' ') i++;
        if (indents.length + compact > MAX_YAML_DEPTH) return tooDeep(start + i);
      }
      if (indents.length + compact > MAX_YAML_DEPTH) return tooDeep(start + i);
    }
    let prev = quote === null && flow === 0 ? ':' : ''; // the line start may open a flow collection
    for (; i < line.length; i++) {
      const c = line[i];
      if (quote === '"') {
        if (c === '\\') i++;
        else if (c === '"') quote = null;
        continue;
      }
      if (quote === "'") {
        if (c === "'" && line[i + 1] === "'") i++;
        else if (c === "'") quote = null;
        continue;
      }
      if (c === '#' && (i === 0 || line[i - 1] === ' ' || line[i - 1] === '\t')) break;
      if ((c === '"' || c === "'") && (prev === '' || ':-?[{,'.includes(prev))) {
        quote = c;
        continue;
      }
      if ((c === '[' || c === '{') && (prev === '' || ':-?[{,'.includes(prev))) {
        flow++;
        if (indents.length + flow > MAX_YAML_DEPTH) return tooDeep(start + i);
      } else if ((c === ']' || c === '}') && flow > 0) flow--;
      if (c !== ' ' && c !== '\t') prev = c;
    }
  }
  return null;
}
