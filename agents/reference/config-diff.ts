import { LEVEL_VALUE } from './template-diff.js';

/** A setting that only decides how much a process logs, and values it may take. */
const LOG_SETTING = /^(log_?level|loglevel|verbosity|verbose|debug|log_?format)$/i;

function leafChanges(
  a: unknown,
  b: unknown,
  path: string[],
  out: Array<{ path: string[]; to: unknown }>,
): void {
  const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null;
  if (isObject(a) && isObject(b) && Array.isArray(a) === Array.isArray(b)) {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)]))
      leafChanges(a[k], b[k], [...path, k], out);
    return;
  }
  if (JSON.stringify(a) !== JSON.stringify(b)) out.push({ path, to: b });
}

/**
 * What changed in a config file held as JSON (a ConfigMap key), as `a.b → value` lines, and whether every
 * change only turns logging up or down: an operator's `logLevel: debug` explains no failure. Undefined
 * when either side is not JSON (nothing can be said about it).
 */
export function configFileDiff(
  before: string,
  after: string,
): { changes: string[]; loggingOnly: boolean } | undefined {
  let a: unknown;
  let b: unknown;
  try {
    a = JSON.parse(before);
    b = JSON.parse(after);
  } catch {
    return undefined;
  }
  const out: Array<{ path: string[]; to: unknown }> = [];
  leafChanges(a, b, [], out);
  return {
    changes: out.map((c) => `${c.path.join('.')} → ${JSON.stringify(c.to)}`),
    loggingOnly:
      out.length > 0 &&
      out.every(
        (c) =>
          LOG_SETTING.test(c.path[c.path.length - 1] ?? '') &&
          (typeof c.to === 'boolean' || (typeof c.to === 'string' && LEVEL_VALUE.test(c.to))),
      ),
  };
}
