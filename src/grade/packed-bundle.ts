import type { GroundTruth } from '../bundle/ground-truth.js';
import { openBundle } from '../bundle/bundle-reader.js';

/** What grading needs from a packed bundle; the bundle module's reader provides it. */
export interface OpenedBundle {
  manifest: unknown;
  /** SHA-256 of its manifest.json (the root digest), when the opener knows it. */
  rootSha256?: string;
  groundTruth(): Promise<GroundTruth>;
  close(): Promise<void> | void;
}

export interface PackedOpenOptions {
  /** Check what is read against the manifest (default true; false: --no-verify). */
  checkReads?: boolean;
  /** The root digest the bundle must have. */
  rootSha256?: string;
}

export type PackedBundleOpener = (path: string, opts?: PackedOpenOptions) => Promise<OpenedBundle>;

/** The real opener: unpacks into a temporary directory that close() removes. */
export const openPackedBundle: PackedBundleOpener = (path, opts = {}) => openBundle(path, opts);
