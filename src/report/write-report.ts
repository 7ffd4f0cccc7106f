import { mkdir, rename, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { openBundle } from '../bundle/bundle-reader.js';
import { readReportData } from './report-data.js';
import { renderReportHtml } from './render-html.js';

export interface ReportOptions {
  /** Show the ground truth: injection time, faults, root causes (for task authors, never for agents). */
  withTruth?: boolean;
  /** Default: beside the bundle, `<bundle dir>.html` (`<archive name>.html` for a packed bundle). */
  out?: string;
}

/** Where a report goes by default: beside the bundle, named after it. */
export function defaultReportPath(bundlePath: string): string {
  const abs = resolve(bundlePath).replace(/\/+$/, '');
  return join(dirname(abs), `${basename(abs).replace(/\.(tar\.gz|tgz|tar)$/, '')}.html`);
}

/** Renders a bundle (directory or packed) into one self-contained HTML file; returns its path. */
export async function writeReport(bundlePath: string, opts: ReportOptions = {}): Promise<string> {
  const out = resolve(opts.out ?? defaultReportPath(bundlePath));
  const b = await openBundle(bundlePath);
  let html: string;
  try {
    html = renderReportHtml(await readReportData(b, opts.withTruth ?? false));
  } finally {
    await b.close();
  }
  await mkdir(dirname(out), { recursive: true });
  // Through a temporary name: a browser open on the old report never sees half a file.
  const tmp = join(dirname(out), `.${basename(out)}.tmp-${process.pid}`);
  await writeFile(tmp, html);
  await rename(tmp, out);
  return out;
}
