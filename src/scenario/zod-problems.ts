import type { z } from 'zod';
import type { ScenarioProblem } from '../errors/scenario-error.js';
import type { PathSegment, YamlSource } from './yaml-source.js';

/**
 * Turns zod issues into one located problem each. `prefix` is where the validated value sits in the
 * document (e.g. `spec.faults.0.params` for a fault's own params schema); `schema` lets an unknown-field
 * problem list the fields that are allowed there.
 */
export function zodProblems(
  issues: readonly z.core.$ZodIssue[],
  source: YamlSource,
  schema: z.ZodType,
  prefix: readonly PathSegment[] = [],
): ScenarioProblem[] {
  const out: ScenarioProblem[] = [];
  for (const issue of tightestBounds(issues)) {
    const rel = issue.path.map(toSegment);
    const path = [...prefix, ...rel];
    if (issue.code === 'unrecognized_keys') {
      const allowed = objectKeysAt(schema, rel);
      for (const key of issue.keys) {
        const keyPath = [...path, key];
        const hint = allowed ? `; allowed here: ${allowed.join(', ')}` : '';
        out.push(problem(source, keyPath, `unknown field "${key}"${hint}`, 'key'));
      }
      continue;
    }
    if (issue.code === 'invalid_type' && source.isMissing(path)) {
      out.push(problem(source, path, 'required field is missing'));
      continue;
    }
    out.push(problem(source, path, tidy(issue.message)));
  }
  return out;
}

/**
 * zod checks `int()` against the safe-integer range besides the schema's own max, so `seed: 1e30` came
 * out as two "Too big" lines for one value. Of the bounds a value crosses at one path, keep the tightest.
 */
function tightestBounds(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue[] {
  const best = new Map<string, z.core.$ZodIssue>();
  const keyOf = (i: z.core.$ZodIssue): string | null =>
    i.code === 'too_big' || i.code === 'too_small' ? `${i.code}\u0000${i.path.map(String).join('.')}` : null;
  for (const i of issues) {
    const key = keyOf(i);
    if (key === null) continue;
    const seen = best.get(key);
    const bound = (x: z.core.$ZodIssue): number =>
      Number((x as { maximum?: unknown; minimum?: unknown }).maximum ?? (x as { minimum?: unknown }).minimum);
    const tighter = i.code === 'too_big' ? (a: number, b: number) => a < b : (a: number, b: number) => a > b;
    if (!seen || tighter(bound(i), bound(seen))) best.set(key, i);
  }
  return issues.filter((i) => {
    const key = keyOf(i);
    return key === null || best.get(key) === i;
  });
}

export function problem(
  source: YamlSource,
  path: readonly PathSegment[],
  message: string,
  anchor: 'key' | 'value' = 'value',
): ScenarioProblem {
  return { file: source.file, ...source.locate(path, anchor), path: path.join('.'), message };
}

function toSegment(seg: PropertyKey): PathSegment {
  return typeof seg === 'number' ? seg : String(seg);
}

/** zod's generic messages start with "Invalid input: "; the path already says which input. */
function tidy(message: string): string {
  return message.replace(/^Invalid (input|option): /, '');
}

interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  innerType?: z.ZodType;
  in?: z.ZodType;
}

/** Field names of the object schema found at `path`, or undefined when the path leads elsewhere. */
export function objectKeysAt(schema: z.ZodType, path: readonly PathSegment[]): string[] | undefined {
  let s: z.ZodType | undefined = unwrap(schema);
  for (const seg of path) {
    if (!s) return undefined;
    const def = s.def as unknown as Def;
    if (def.type === 'object' && def.shape) s = unwrap(def.shape[String(seg)]);
    else if (def.type === 'array' && def.element) s = unwrap(def.element);
    else return undefined;
  }
  const def = s?.def as unknown as Def | undefined;
  return def?.type === 'object' && def.shape ? Object.keys(def.shape) : undefined;
}

function unwrap(schema: z.ZodType | undefined): z.ZodType | undefined {
  let s = schema;
  for (let i = 0; s && i < 20; i++) {
    const def = s.def as unknown as Def;
    if (def.innerType) s = def.innerType;
    else if (def.type === 'pipe' && def.in) s = def.in;
    else return s;
  }
  return s;
}
