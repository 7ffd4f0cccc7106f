import type { BundleHandle } from '../bundle/bundle-reader.js';

/** One file an exporter wrote, relative to its directory, with its data rows (tables) or items. */
export interface ExportedFile {
  path: string;
  rows: number;
}

/**
 * A bundle exporter for another harness' layout: one file per format under src/export/. It reads the
 * bundle only through its handle, writes what an agent (or an RCA method) may see into `dir` and the
 * answer key into `truthDir`, a separate directory, so the two can be handed out separately.
 */
export interface Exporter {
  readonly id: string;
  readonly description: string;
  write(
    bundle: BundleHandle,
    dir: string,
    truthDir: string,
  ): Promise<{ files: ExportedFile[]; truth: ExportedFile[] }>;
}
