import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function newestSourceMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSourceMtime(p));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts'))
      newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

/**
 * The shop's processes run from compiled JS. Rebuilds with the project's build (`tsc -p tsconfig.build.json`)
 * when dist/apps/shop/src/main.js is missing or older than any shop source, and returns its path. Type errors
 * elsewhere in the tree (tsc still emits) do not block the shop's tests as long as fresh output appeared.
 */
export function ensureShopBuilt(repoRoot: string): string {
  const mainJs = join(repoRoot, 'dist', 'apps', 'shop', 'src', 'main.js');
  const srcDir = join(repoRoot, 'apps', 'shop', 'src');
  const fresh = () => existsSync(mainJs) && statSync(mainJs).mtimeMs >= newestSourceMtime(srcDir);
  if (fresh()) return mainJs;
  try {
    // The project's own TypeScript compiler, run by this Node (npx would add seconds and a PATH lookup).
    execFileSync(
      process.execPath,
      [join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'],
      {
        cwd: repoRoot,
        stdio: 'pipe',
        timeout: 300_000,
      },
    );
  } catch (err) {
    if (!fresh()) {
      const out =
        String((err as { stdout?: Buffer }).stdout ?? '') + String((err as { stderr?: Buffer }).stderr ?? '');
      throw new Error(`building the shop failed:\n${out.slice(0, 4000)}`);
    }
  }
  if (!fresh()) throw new Error(`${mainJs} is still older than apps/shop/src after building`);
  return mainJs;
}
