import type { ScenarioProblem } from '../errors/scenario-error.js';
import { NotRegularFileError } from '../util/safe-fs.js';

/** A file or directory that cannot be read, as one problem at 1:1 so it prints like any other. */
export function readProblem(path: string, err: unknown): ScenarioProblem {
  const code = (err as NodeJS.ErrnoException)?.code;
  const why =
    err instanceof NotRegularFileError
      ? err.kind === 'directory'
        ? 'is a directory'
        : `is a ${err.kind}, not a regular file`
      : code === 'ENOENT'
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
