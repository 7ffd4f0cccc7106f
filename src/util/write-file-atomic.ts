import { renameSync, rmSync, writeFileSync } from 'node:fs';

/**
 * Writes through a temporary file and a rename, so a process re-reading the file (Prometheus on
 * reload) never sees half of it. `mode` applies to the new file (0o600 for files holding secrets).
 */
export function writeFileAtomic(path: string, content: string, mode = 0o644): void {
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  try {
    writeFileSync(tmp, content, { mode });
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}
