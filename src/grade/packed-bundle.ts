import type { GroundTruth } from '../bundle/ground-truth.js';
import { openBundle } from '../bundle/bundle-reader.js';

/** What grading needs from a packed bundle; the bundle module's reader provides it. */
export interface OpenedBundle {
  manifest: unknown;
  groundTruth(): Promise<GroundTruth>;
  close(): Promise<void> | void;
}

export type PackedBundleOpener = (path: string) => Promise<OpenedBundle>;

/** The real opener: unpacks into a temporary directory that close() removes. */
export const openPackedBundle: PackedBundleOpener = (path) => openBundle(path);
