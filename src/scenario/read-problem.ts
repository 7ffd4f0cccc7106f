import type { ScenarioProblem } from '../errors/scenario-error.js';

/** A file or directory that cannot be read, as one problem at 1:1 so it prints like any other. */
export function readProblem(path: string, err: unknown): ScenarioProblem {
  const code = (err as NodeJS.ErrnoException)?.code;
  const why =
    code === 'ENOENT'
      ? 'no such file or directory'
      : code === 'EISDIR'
        ? 'is a directory'
        : code === 'EACCES'
          ? 'permission denied'
          : err instanceof Error
            ? err.message
            : String(err);
  return { file: path, line: 1, col: 1, path: '', message: `cannot read: ${why}` };
}
