import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { verifyBundle } from '../bundle/verify.js';
import { InvalidInputError } from '../errors/invalid-input-error.js';
import { scenarioHash } from '../scenario/scenario-hash.js';
import type { CorpusLayout } from './corpus-layout.js';
import type { PlannedRun } from './plan.js';

export interface ExistingState {
  /** Bundle ids already complete and verified: not run again. */
  complete: Set<string>;
  /** What was removed before running, with why (half-written, failing verify, stale). */
  removed: Array<{ path: string; reason: string }>;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/**
 * Looks at what a previous (interrupted) corpus run left in `<out>/bundles` for the planned runs.
 * Staging leftovers (`.<bundleId>.tmp-*`) are always removed. With `resume`, a bundle that verifies,
 * belongs to the planned scenario and repeat, and was made from the same scenario (scenarioHash) is
 * kept and skipped; any other is removed so the run redoes it. Without `resume` or `force`, an existing
 * bundle is an error: nothing is overwritten unasked. With `force`, existing bundles are left for the
 * runner to replace atomically.
 */
export async function inspectExisting(
  layout: CorpusLayout,
  planned: readonly PlannedRun[],
  opts: {
    resume?: boolean;
    force?: boolean;
    /** Root digests the previous index pinned, by bundle id: a kept bundle must still have its own. */
    pinned?: ReadonlyMap<string, string>;
  },
): Promise<ExistingState> {
  const state: ExistingState = { complete: new Set(), removed: [] };
  const ids = new Set(planned.map((p) => p.bundleId));
  let entries: string[] = [];
  try {
    entries = await readdir(layout.bundlesDir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  for (const name of entries) {
    const m = /^\.(.+?)\.tmp-/.exec(name);
    if (m && ids.has(m[1])) {
      const path = join(layout.bundlesDir, name);
      await rm(path, { recursive: true, force: true });
      state.removed.push({ path, reason: 'half-written (staging leftover of an interrupted run)' });
    }
  }
  const present = planned.filter((p) => entries.includes(p.bundleId));
  if (present.length > 0 && !opts.resume && !opts.force)
    throw new InvalidInputError(
      [
        `${present.length} planned bundle${present.length > 1 ? 's' : ''} already exist${present.length > 1 ? '' : 's'} in ${layout.bundlesDir} (${present
          .slice(0, 3)
          .map((p) => p.bundleId)
          .join(', ')}${present.length > 3 ? ', ...' : ''});`,
        'pass --resume to keep complete ones and redo the rest, or --force to redo them all',
      ].join(' '),
    );
  if (!opts.resume) return state;
  for (const p of present) {
    const dir = layout.bundleDir(p.bundleId);
    if (!(await exists(dir))) continue;
    const v = await verifyBundle(dir, { leakCheck: false });
    let reason: string | null = null;
    if (!v.ok || !v.manifest)
      reason = `does not verify (${v.problems
        .slice(0, 2)
        .map((x) => `${x.path || 'bundle'}: ${x.message}`)
        .join('; ')})`;
    else if (
      v.manifest.scenarioId !== p.scenarioId ||
      v.manifest.repeat !== p.repeat ||
      v.manifest.seed !== p.seed
    )
      reason = `holds ${v.manifest.scenarioId} repeat ${v.manifest.repeat} seed ${v.manifest.seed}, not the planned run`;
    else if (v.manifest.scenarioHash !== scenarioHash(p.scenario))
      reason = 'made from an earlier version of the scenario file';
    else if (opts.pinned?.has(p.bundleId) && opts.pinned.get(p.bundleId) !== v.rootSha256)
      reason =
        'its manifest.json differs from the root digest the corpus index pinned (changed after it was indexed)';
    if (reason === null) {
      state.complete.add(p.bundleId);
      continue;
    }
    await rm(dir, { recursive: true, force: true });
    state.removed.push({ path: dir, reason });
  }
  return state;
}
