import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * Path of a Prometheus tool: the Debian package's /usr/bin copy, else the first on PATH. A missing tool fails
 * the test with the fix rather than skipping it: these checks are the only thing standing between a typo in
 * a rule file and a silent substrate.
 */
export function requireTool(name: 'promtool' | 'amtool'): string {
  const candidates = [
    join('/usr/bin', name),
    ...(process.env.PATH ?? '').split(delimiter).map((d) => join(d, name)),
  ];
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      // try the next one
    }
  }
  throw new Error(`${name} not found; run ./scripts/install-prereqs.sh`);
}
