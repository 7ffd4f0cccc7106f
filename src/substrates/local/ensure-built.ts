import { stat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import type { Logger } from '../../logging/logger.js';
import { REPO_ROOT } from '../../version.js';
import { FiredrillError } from '../../errors/firedrill-error.js';
import { ExitCode } from '../../errors/exit-codes.js';

export const APP_ENTRY = join(REPO_ROOT, 'dist', 'apps', 'shop', 'src', 'main.js');

async function newestMtime(dir: string): Promise<number> {
  let newest = 0;
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, await newestMtime(p));
    else if (e.name.endsWith('.ts')) newest = Math.max(newest, (await stat(p)).mtimeMs);
  }
  return newest;
}

/**
 * The shop runs from compiled JavaScript (a process per pod; a TypeScript loader in each would double
 * their memory). Compile when the output is missing or older than the sources.
 */
export async function ensureAppBuilt(logger: Logger): Promise<void> {
  const built = await stat(APP_ENTRY)
    .then((s) => s.mtimeMs)
    .catch(() => 0);
  const src = await newestMtime(join(REPO_ROOT, 'apps', 'shop', 'src'));
  if (built >= src) return;
  logger.info({ entry: APP_ENTRY }, 'compiling the shop');
  const r = await execa(
    process.execPath,
    [join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'],
    {
      cwd: REPO_ROOT,
      reject: false,
    },
  );
  if (r.exitCode !== 0) {
    throw new FiredrillError(
      `compiling the shop failed (npm run build):\n${String(r.stdout).slice(0, 2000)}`,
      ExitCode.Failure,
    );
  }
}
