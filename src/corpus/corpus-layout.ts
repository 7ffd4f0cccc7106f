import { join } from 'node:path';

/**
 * Where a corpus lives under its `--out` directory:
 *
 * ```
 * <out>/bundles/<bundleId>/             the bundles (format 1)
 * <out>/bundles/<bundleId>.log.ndjson   JSON run log beside each bundle (never inside it)
 * <out>/packed/<bundleId>.tar.gz        each bundle packed deterministically
 * <out>/corpus/index.json               one row per bundle: checks, timings, sizes, sha256
 * <out>/corpus/report.md                tables per scenario and corpus totals
 * <out>/reports/<bundleId>.html         each bundle's HTML report, ground truth shown (for authors)
 * <out>/corpus/secret                   the corpus secret (never inside a bundle's snapshot/)
 * <out>/corpus/run.lock                 while a `corpus run` writes the corpus: its pid (corpus-lock.ts)
 * ```
 */
export class CorpusLayout {
  constructor(readonly root: string) {}

  get bundlesDir(): string {
    return join(this.root, 'bundles');
  }

  get packedDir(): string {
    return join(this.root, 'packed');
  }

  get reportsDir(): string {
    return join(this.root, 'reports');
  }

  /** The HTML report of a bundle (firedrill report --with-truth), linked from report.md. */
  reportHtml(bundleId: string): string {
    return join(this.reportsDir, `${bundleId}.html`);
  }

  relReportHtml(bundleId: string): string {
    return `reports/${bundleId}.html`;
  }

  get corpusDir(): string {
    return join(this.root, 'corpus');
  }

  get indexFile(): string {
    return join(this.corpusDir, 'index.json');
  }

  /** The corpus secret (corpus-secret.ts): bundle ids, window offsets and background derive from it. */
  get secretFile(): string {
    return join(this.corpusDir, 'secret');
  }

  /** Held by the one `corpus run` writing this corpus (corpus-lock.ts). */
  get lockFile(): string {
    return join(this.corpusDir, 'run.lock');
  }

  get reportFile(): string {
    return join(this.corpusDir, 'report.md');
  }

  bundleDir(bundleId: string): string {
    return join(this.bundlesDir, bundleId);
  }

  logFile(bundleId: string): string {
    return join(this.bundlesDir, `${bundleId}.log.ndjson`);
  }

  packedFile(bundleId: string): string {
    return join(this.packedDir, `${bundleId}.tar.gz`);
  }

  /** Relative to the corpus root, POSIX separators: how the index refers to files. */
  relBundle(bundleId: string): string {
    return `bundles/${bundleId}`;
  }

  relPacked(bundleId: string): string {
    return `packed/${bundleId}.tar.gz`;
  }
}
