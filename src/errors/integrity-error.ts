import { BundleError } from './bundle-error.js';

/**
 * A bundle file differs from what its manifest (or a pinned root digest) says: changed after the bundle
 * was written, by accident or to change a score. A BundleError (exit code 1) that names the file, so
 * commands that can read unverified bundles (`grade`, `bundle export`: --no-verify) can say so.
 */
export class IntegrityError extends BundleError {
  /** The file that failed its check, as printed (`<bundle>/truth/ground_truth.json`, `<archive>!...`). */
  readonly file: string;

  constructor(file: string, why: string, options?: { cause?: unknown }) {
    super(`${file}: ${why}`, options);
    this.file = file;
  }
}
