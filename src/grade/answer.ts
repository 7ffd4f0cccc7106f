/**
 * An agent's answer after reading: the ranked entries (first = most likely) and what was wrong with the
 * document. Parsing never throws: a malformed answer is a wrong answer, scored 0, not a crashed grader.
 */
export interface ParsedAnswer {
  /**
   * Entity id text as the agent wrote it, in rank order. `null` holds the rank of an entry that carries no
   * id at all (a number, an object without `name`/`id`), so it still counts as a wrong prediction.
   */
  entries: ReadonlyArray<string | null>;
  warnings: readonly string[];
}

/**
 * Ranks graded per answer. Every metric is decided within the first few ranks (AC@5, and AP stops
 * growing at the last match), so a list this long is already hopeless; without a bound a 30 MB answer of
 * invalid ids cost 1.5 GB of memory and a warning per entry.
 */
export const MAX_PREDICTIONS = 1000;
/** Warnings listed per answer; the rest are counted in one more line. */
export const MAX_ANSWER_WARNINGS = 20;

/** The first `max` warnings, then one line counting the rest. */
export function capWarnings(warnings: string[], max = MAX_ANSWER_WARNINGS): string[] {
  if (warnings.length <= max) return warnings;
  return [...warnings.slice(0, max), `${warnings.length - max} more warnings not shown`];
}

export function emptyAnswer(warning: string): ParsedAnswer {
  return { entries: [], warnings: [warning] };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Accepts `{"entities": [...]}` whose items are id strings or objects with a `name` (ITBench) or `id`
 * field. ITBench agents also list entities they ruled out with `"contributing_factor": false`; those are
 * not predictions and are skipped without taking a rank.
 */
export function parseAnswer(doc: unknown): ParsedAnswer {
  const warnings: string[] = [];
  let list: unknown[];
  if (Array.isArray(doc)) {
    warnings.push('answer is a bare array; expected {"entities": [...]} (graded anyway)');
    list = doc;
  } else if (isRecord(doc) && Array.isArray(doc.entities)) {
    list = doc.entities;
  } else {
    const why = isRecord(doc)
      ? '"entities" is missing or not an array'
      : `the document is ${doc === null ? 'null' : typeof doc}`;
    return emptyAnswer(`malformed answer: ${why}; expected {"entities": ["namespace/Kind/name", ...]}`);
  }

  const entries: Array<string | null> = [];
  let ignored = 0;
  for (let i = 0; i < list.length; i++) {
    const item = list[i];
    if (entries.length >= MAX_PREDICTIONS) {
      if (!(isRecord(item) && item.contributing_factor === false)) ignored++;
      continue;
    }
    if (typeof item === 'string') {
      entries.push(item);
      continue;
    }
    if (isRecord(item)) {
      if (item.contributing_factor === false) continue;
      const text = typeof item.name === 'string' ? item.name : typeof item.id === 'string' ? item.id : null;
      if (text !== null) {
        entries.push(text);
        continue;
      }
      warnings.push(
        `entry ${entries.length + 1} has no string "name" or "id" field; counted as a wrong prediction`,
      );
    } else {
      warnings.push(
        `entry ${entries.length + 1} is ${item === null ? 'null' : typeof item}, not an id string or object; counted as a wrong prediction`,
      );
    }
    entries.push(null);
  }
  if (entries.length === 0) warnings.push('answer lists no entities');
  if (ignored > 0)
    warnings.push(
      `answer ranks ${MAX_PREDICTIONS + ignored} entities; only the first ${MAX_PREDICTIONS} are graded, ${ignored} ignored`,
    );
  return { entries, warnings };
}
