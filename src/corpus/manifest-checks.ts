import { randomBytes } from 'node:crypto';
import { open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fsyncDir } from '../bundle/install-dir.js';
import { MANIFEST_FILE } from '../bundle/layout.js';
import { ManifestSchema, formatIssues, type CheckResult } from '../bundle/manifest.js';
import { CorpusError } from '../errors/corpus-error.js';

/**
 * Adds (or replaces) checks in a committed bundle's manifest.json. The manifest is not in its own
 * files[] index, so the bundle still verifies; other fields and their order are kept. Written to a
 * temporary file, fsynced and renamed over the old one, so a crash leaves either manifest, never half.
 * Returns false when the checks were already recorded exactly so (nothing written).
 */
export async function recordManifestChecks(
  bundleDir: string,
  checks: Readonly<Record<string, CheckResult>>,
): Promise<boolean> {
  const path = join(bundleDir, MANIFEST_FILE);
  const text = await readFile(path, 'utf8');
  const raw = JSON.parse(text) as Record<string, unknown>;
  const before = (raw.checks ?? {}) as Record<string, CheckResult>;
  const merged: Record<string, CheckResult> = { ...before };
  for (const [name, c] of Object.entries(checks)) merged[name] = { ok: c.ok, detail: c.detail };
  if (JSON.stringify(merged) === JSON.stringify(before)) return false;
  const next = { ...raw, checks: merged };
  const parsed = ManifestSchema.safeParse(next);
  if (!parsed.success)
    throw new CorpusError([
      `${path}: checks not recorded:`,
      ...formatIssues(parsed.error).map((l) => `  ${l}`),
    ]);
  // Beside the bundle, not inside it (a stray file inside would fail verify); named like the writer's
  // staging directories so a resumed corpus clears it away.
  const tmp = join(
    dirname(bundleDir),
    `.${basename(bundleDir)}.tmp-manifest-${randomBytes(4).toString('hex')}`,
  );
  try {
    const fh = await open(tmp, 'w', 0o644);
    try {
      await fh.writeFile(`${JSON.stringify(next, null, 2)}\n`);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
    await fsyncDir(bundleDir);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  return true;
}
