import { rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BundleError } from '../errors/bundle-error.js';
import { MANIFEST_FILE } from './layout.js';
import { readDetachedDigest, rootDigestProblem } from './root-digest.js';
import { makeScratchDir, releaseScratch } from './scratch.js';
import { unpackBundle, type UnpackOptions } from './unpack.js';
import { errnoMessage, failedVerify, verifyBundle, type VerifyOptions, type VerifyResult } from './verify.js';

export interface VerifyPathOptions extends VerifyOptions {
  /** Where a packed bundle is unpacked to be checked (default the OS temp directory). */
  tmpRoot?: string;
  /** Passed to unpack (tests stand in for a full disk or lower the caps). */
  unpack?: Pick<UnpackOptions, 'maxBytes' | 'maxEntries' | 'freeBytes'>;
}

/**
 * verifyBundle for a directory or a packed bundle. A packed bundle is unpacked (with all of unpack's
 * safety checks and bounds) into a temporary directory that is removed afterwards, also when the process
 * is interrupted; its top-level folder must be named after the manifest's bundleId, and a detached root
 * digest beside it (`<name>.bundle.sha256`) must match its manifest.
 */
export async function verifyBundlePath(path: string, opts: VerifyPathOptions = {}): Promise<VerifyResult> {
  let isDir: boolean;
  try {
    isDir = (await stat(path)).isDirectory();
  } catch (err) {
    return failedVerify(path, false, 'not-a-bundle', errnoMessage(err));
  }
  if (isDir) return verifyBundle(path, opts);

  const tmp = await makeScratchDir(join(opts.tmpRoot ?? tmpdir(), 'firedrill-verify-'));
  try {
    let unpacked;
    try {
      unpacked = await unpackBundle(path, tmp, opts.unpack);
    } catch (err) {
      if (!(err instanceof BundleError)) throw err;
      const message = err.message.startsWith(`${path}: `) ? err.message.slice(path.length + 2) : err.message;
      return failedVerify(path, true, 'archive', message);
    }
    const r = await verifyBundle(unpacked.dir, opts);
    if (r.manifest && r.manifest.bundleId !== unpacked.bundleId)
      r.problems.push({
        kind: 'archive',
        path: '',
        message: `top-level folder ${JSON.stringify(unpacked.bundleId)} does not match the manifest's bundleId ${JSON.stringify(r.manifest.bundleId)}`,
      });
    try {
      const pinned = await readDetachedDigest(path);
      const why =
        pinned && r.rootSha256
          ? rootDigestProblem({ rootSha256: r.rootSha256, bundleId: unpacked.bundleId }, pinned)
          : null;
      if (why) r.problems.push({ kind: 'root-digest', path: MANIFEST_FILE, message: why });
    } catch (err) {
      if (!(err instanceof BundleError)) throw err;
      r.problems.push({ kind: 'root-digest', path: '', message: err.message });
    }
    return { ...r, source: path, packed: true, ok: r.problems.length === 0 };
  } finally {
    await rm(tmp, { recursive: true, force: true });
    releaseScratch(tmp);
  }
}
