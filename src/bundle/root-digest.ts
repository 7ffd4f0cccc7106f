import { basename } from 'node:path';
import { BundleError } from '../errors/bundle-error.js';
import { FileTooLargeError, NotRegularFileError, readRegularFile } from '../util/safe-fs.js';
import { MANIFEST_FILE } from './layout.js';

/**
 * The root digest of a bundle is the SHA-256 of its manifest.json bytes. The manifest lists the SHA-256
 * and size of every other file, so the digest pins the whole bundle byte for byte; but a manifest cannot
 * vouch for itself (edit a file, its hash and the seed consistently and the bundle still verifies). The
 * digest therefore travels outside the bundle: in the corpus index, and in a detached `<name>.bundle.sha256`
 * beside a packed bundle, one line in sha256sum's format naming `<bundleId>/manifest.json`, so
 * `sha256sum -c` in the directory a bundle was unpacked into checks it too.
 */

export const DETACHED_DIGEST_SUFFIX = '.bundle.sha256';
const PACKED_SUFFIX = /\.(tar\.gz|tgz|tar)$/i;
const LINE = /^([0-9a-f]{64}) [ *]([A-Za-z0-9][A-Za-z0-9._-]{0,127})\/manifest\.json\r?\n?$/;

/** `out/b.tar.gz` → `out/b.bundle.sha256`; a name without a packed suffix keeps it: `x.bin.bundle.sha256`. */
export function detachedDigestPath(archive: string): string {
  return archive.replace(PACKED_SUFFIX, '') + DETACHED_DIGEST_SUFFIX;
}

export function formatDetachedDigest(rootSha256: string, bundleId: string): string {
  return `${rootSha256}  ${bundleId}/${MANIFEST_FILE}\n`;
}

export interface DetachedDigest {
  path: string;
  rootSha256: string;
  bundleId: string;
}

/** The detached digest beside a packed bundle; null when there is none. Malformed: BundleError. */
export async function readDetachedDigest(archive: string): Promise<DetachedDigest | null> {
  const path = detachedDigestPath(archive);
  let text: string;
  try {
    text = (await readRegularFile(path, { maxBytes: 1024 })).toString('utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    if (err instanceof NotRegularFileError || err instanceof FileTooLargeError)
      throw new BundleError(`${path}: ${err.message.slice(path.length + 2)}; not a root digest`, {
        cause: err,
      });
    throw err;
  }
  const m = LINE.exec(text);
  if (!m)
    throw new BundleError(
      `${path}: not a root digest (expected one line "<64 hex digits>  <bundleId>/${MANIFEST_FILE}")`,
    );
  return { path, rootSha256: m[1], bundleId: m[2] };
}

/** Why `actual` (the manifest's digest) does not match `pinned`, or null when it does. */
export function rootDigestProblem(
  actual: { rootSha256: string; bundleId: string },
  pinned: DetachedDigest,
): string | null {
  if (pinned.bundleId !== actual.bundleId)
    return `${basename(pinned.path)} pins bundle ${JSON.stringify(pinned.bundleId)}, the archive holds ${JSON.stringify(actual.bundleId)}`;
  if (pinned.rootSha256 !== actual.rootSha256)
    return `sha256 ${actual.rootSha256} differs from the root digest ${pinned.rootSha256} in ${pinned.path} (the manifest was changed after the bundle was packed)`;
  return null;
}
