import { randomBytes } from 'node:crypto';
import { mkdir, open, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { BundleError } from '../errors/bundle-error.js';
import { TOOL_VERSION } from '../version.js';
import { digestFile } from './file-digest.js';
import { fsyncDir, installDir } from './install-dir.js';
import { BUNDLE_FORMAT, MANIFEST_FILE, bundleIdProblem, bundlePathProblem } from './layout.js';
import {
  ManifestSchema,
  formatIssues,
  type FileEntry,
  type Manifest,
  type ManifestFields,
} from './manifest.js';

export interface CommitOptions {
  /** Replace an existing bundle directory of the same id instead of failing. */
  replace?: boolean;
}

type State = 'open' | 'committing' | 'committed' | 'aborted';

const BATCH_CHARS = 1 << 20;

/**
 * Writes one bundle atomically. Files go to a hidden sibling `<outDir>/.<bundleId>.tmp-XXXXXX`; `commit`
 * indexes them, writes manifest.json last, fsyncs and renames the directory into place. Until then no
 * directory named like a bundle exists, and a crash leaves only a dot-directory that verify rejects
 * (no manifest). Always pair with `abort()` in a finally block; it is a no-op after a commit.
 *
 * ```ts
 * const w = await BundleWriter.create('out', 'payment-latency-r0');
 * try {
 *   await w.writeNdjson(SnapshotFile.logs, logs);
 *   await w.writeJson(TRUTH_FILE, truth);
 *   const dir = await w.commit({ scenarioId, ... });
 * } finally {
 *   await w.abort();
 * }
 * ```
 */
export class BundleWriter {
  readonly bundleId: string;
  /** Where the bundle ends up: `<outDir>/<bundleId>`. */
  readonly target: string;
  readonly tmpDir: string;
  private readonly written = new Set<string>();
  /** Files serialised here line by line: their lines need no re-parsing at commit. */
  private readonly serialised = new Set<string>();
  private inFlight = 0;
  private state: State = 'open';

  private constructor(bundleId: string, target: string, tmpDir: string) {
    this.bundleId = bundleId;
    this.target = target;
    this.tmpDir = tmpDir;
  }

  static async create(outDir: string, bundleId: string): Promise<BundleWriter> {
    const bad = bundleIdProblem(bundleId);
    if (bad) throw new BundleError(bad);
    const out = resolve(outDir);
    await mkdir(out, { recursive: true });
    // not mkdtemp: its 0700 would survive the rename; mkdir honours the umask like any other output
    const tmp = join(out, `.${bundleId}.tmp-${randomBytes(6).toString('hex')}`);
    await mkdir(tmp);
    return new BundleWriter(bundleId, join(out, bundleId), tmp);
  }

  /** Pretty-printed JSON document. */
  async writeJson(rel: string, value: unknown): Promise<void> {
    const text = JSON.stringify(value, null, 2);
    if (text === undefined) throw new BundleError(`${rel}: value is not JSON-serialisable`);
    await this.writeText(rel, `${text}\n`);
  }

  /** One JSON record a line, streamed; returns the number of records written. */
  async writeNdjson<T>(rel: string, records: Iterable<T> | AsyncIterable<T>): Promise<number> {
    return this.withFile(rel, async (abs) => {
      const fh = await open(abs, 'wx', 0o644);
      let n = 0;
      try {
        let batch = '';
        for await (const record of records) {
          const line = JSON.stringify(record);
          if (line === undefined) throw new BundleError(`${rel}: record ${n + 1} is not JSON-serialisable`);
          if (line[0] !== '{') throw new BundleError(`${rel}: record ${n + 1} is not a JSON object`);
          batch += `${line}\n`;
          n++;
          if (batch.length >= BATCH_CHARS) {
            await fh.writeFile(batch);
            batch = '';
          }
        }
        if (batch !== '') await fh.writeFile(batch);
        await fh.sync();
      } finally {
        await fh.close();
      }
      this.serialised.add(rel);
      return n;
    });
  }

  async writeText(rel: string, text: string): Promise<void> {
    await this.withFile(rel, async (abs) => {
      const fh = await open(abs, 'wx', 0o644);
      try {
        await fh.writeFile(text);
        await fh.sync();
      } finally {
        await fh.close();
      }
    });
  }

  /** Paths written so far, sorted. */
  get files(): string[] {
    return [...this.written].sort(comparePaths);
  }

  /**
   * Indexes every written file (sha256, bytes, records), validates and writes manifest.json last, fsyncs
   * and renames the bundle into place. Returns the final directory. Refuses a content problem (a bad
   * `.ndjson` line written through writeText) or an invalid manifest with every problem listed; on any
   * failure the writer stays open, so the caller may fix things and commit again, or abort.
   */
  async commit(fields: ManifestFields, opts: CommitOptions = {}): Promise<string> {
    this.assertOpen();
    if (this.inFlight > 0)
      throw new BundleError(
        `bundle ${this.bundleId}: commit while ${this.inFlight} write(s) are still running`,
      );
    this.state = 'committing';
    try {
      const files: FileEntry[] = [];
      const problems: string[] = [];
      for (const rel of this.files) {
        const d = await digestFile(join(this.tmpDir, rel), rel, { parseLines: !this.serialised.has(rel) });
        for (const p of d.problems) problems.push(`${rel}: ${p.message}`);
        files.push({ path: rel, sha256: d.sha256, bytes: d.bytes, records: d.records });
      }
      const parsed = ManifestSchema.safeParse({
        ...fields,
        toolVersion: fields.toolVersion ?? TOOL_VERSION,
        format: BUNDLE_FORMAT,
        bundleId: this.bundleId,
        files,
      });
      if (!parsed.success) problems.push(...formatIssues(parsed.error).map((l) => `${MANIFEST_FILE}: ${l}`));
      if (problems.length > 0 || !parsed.success)
        throw new BundleError([`bundle ${this.bundleId} not committed:`, ...problems.map((p) => `  ${p}`)]);
      const manifest: Manifest = parsed.data;

      const fh = await open(join(this.tmpDir, MANIFEST_FILE), 'w', 0o644);
      try {
        await fh.writeFile(`${JSON.stringify(manifest, null, 2)}\n`);
        await fh.sync();
      } finally {
        await fh.close();
      }
      for (const dir of this.directories()) await fsyncDir(dir);
      await installDir(this.tmpDir, this.target, {
        replace: opts.replace,
        replaceHint: 'commit with {replace: true} (CLI: --replace)',
      });
      this.state = 'committed';
      return this.target;
    } finally {
      if (this.state === 'committing') this.state = 'open';
    }
  }

  /** Removes the temporary directory; safe to call more than once and after commit (then it does nothing). */
  async abort(): Promise<void> {
    if (this.state === 'committed' || this.state === 'aborted') return;
    this.state = 'aborted';
    await rm(this.tmpDir, { recursive: true, force: true });
  }

  private async withFile<R>(rel: string, write: (abs: string) => Promise<R>): Promise<R> {
    this.assertOpen();
    const bad = bundlePathProblem(rel);
    if (bad) throw new BundleError(`bundle ${this.bundleId}: ${bad}`);
    if (this.written.has(rel)) throw new BundleError(`bundle ${this.bundleId}: ${rel} written twice`);
    this.written.add(rel);
    this.inFlight++;
    const abs = join(this.tmpDir, rel);
    try {
      await mkdir(dirname(abs), { recursive: true });
      return await write(abs);
    } catch (err) {
      // a failed write leaves nothing behind, so the caller may write the path again
      this.written.delete(rel);
      await rm(abs, { force: true });
      throw err;
    } finally {
      this.inFlight--;
    }
  }

  private assertOpen(): void {
    if (this.state !== 'open') throw new BundleError(`bundle ${this.bundleId}: writer is ${this.state}`);
  }

  /** Every directory holding a written file, deepest first, then the bundle root. */
  private directories(): string[] {
    const dirs = new Set<string>();
    for (const rel of this.written) {
      for (let d = dirname(rel); d !== '.'; d = dirname(d)) dirs.add(d);
    }
    return [...[...dirs].sort((a, b) => b.length - a.length).map((d) => join(this.tmpDir, d)), this.tmpDir];
  }
}

/** Byte order of ASCII paths: the order of manifest files[] and of packed entries. */
export function comparePaths(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
