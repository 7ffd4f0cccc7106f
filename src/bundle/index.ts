/**
 * Snapshot bundles, format 1 (docs/bundle-format.md): write one atomically, read one (directory or
 * packed), verify it, pack and unpack it.
 */
export * from './layout.js';
export * from './manifest.js';
export * from './ground-truth.js';
export type * from './records.js';
export { BundleWriter, type CommitOptions } from './bundle-writer.js';
export { openBundle, type BundleHandle, type OpenOptions } from './bundle-reader.js';
export {
  verifyBundle,
  formatProblem,
  type BundleProblem,
  type ProblemKind,
  type VerifyResult,
  type VerifyOptions,
} from './verify.js';
export { verifyBundlePath, type VerifyPathOptions } from './verify-path.js';
export * from './root-digest.js';
export { packBundle, type PackResult } from './pack.js';
export { unpackBundle, type UnpackOptions, type UnpackResult } from './unpack.js';
export { countJsonRecords, countLines, recordKind, type RecordKind } from './count-records.js';
