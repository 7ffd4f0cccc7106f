import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, isAbsolute } from 'node:path';
import { openBundle } from '../bundle/bundle-reader.js';
import { InvalidInputError } from '../errors/invalid-input-error.js';
import type { ExportedFile, Exporter } from './exporter.js';
import { itbenchLiteExporter } from './itbench-lite.js';
import { openMetricsExporter } from './openmetrics.js';
import { otlpExporter } from './otlp.js';
import { rcaevalExporter } from './rcaeval.js';

export const EXPORTERS: readonly Exporter[] = [
  itbenchLiteExporter,
  rcaevalExporter,
  otlpExporter,
  openMetricsExporter,
];

export function exporterFor(format: string): Exporter {
  const e = EXPORTERS.find((x) => x.id === format);
  if (!e)
    throw new InvalidInputError(
      `unknown export format "${format}"; choose one of ${EXPORTERS.map((x) => x.id).join(', ')}`,
    );
  return e;
}

export interface ExportOptions {
  /** Where the ground truth goes (default `<dir>.truth`); must not be inside `dir`. */
  truthDir?: string;
  /** Replace existing output directories. */
  replace?: boolean;
  /** Check every file read against the bundle's manifest (default true; false: --no-verify). */
  verify?: boolean;
}

export interface ExportResult {
  format: string;
  dir: string;
  truthDir: string;
  files: ExportedFile[];
  truth: ExportedFile[];
}

async function nonEmpty(path: string): Promise<boolean> {
  try {
    if (!(await stat(path)).isDirectory()) return true;
    return (await readdir(path)).length > 0;
  } catch {
    return false;
  }
}

/**
 * The export directory and the truth directory, resolved; InvalidInputError when one holds the other
 * (the truth would reach the agent). Checked before anything is created.
 */
export function exportTargets(outDir: string, truthDirOpt?: string): { dir: string; truthDir: string } {
  const dir = resolve(outDir);
  const truthDir = resolve(truthDirOpt ?? `${dir}.truth`);
  if (inside(truthDir, dir) || inside(dir, truthDir))
    throw new InvalidInputError(
      `the ground truth (${truthDir}) must not be inside the export (${dir}) or around it`,
    );
  return { dir, truthDir };
}

function inside(child: string, parent: string): boolean {
  const r = relative(parent, child);
  return r === '' || (!r.startsWith('..') && !isAbsolute(r));
}

/**
 * Exports a bundle (directory or packed) to another harness' layout. Both output directories are
 * written under temporary names beside their targets and renamed into place once complete, so an
 * interrupted export leaves no half directory under the target name.
 */
export async function exportBundle(
  format: string,
  bundlePath: string,
  outDir: string,
  opts: ExportOptions = {},
): Promise<ExportResult> {
  const exporter = exporterFor(format);
  const { dir, truthDir } = exportTargets(outDir, opts.truthDir);
  for (const target of [dir, truthDir])
    if (!opts.replace && (await nonEmpty(target)))
      throw new InvalidInputError(`${target} exists and is not empty; pass --replace to overwrite it`);
  const bundle = await openBundle(bundlePath, { checkReads: opts.verify !== false });
  const tag = randomBytes(4).toString('hex');
  const stage = (p: string): string => join(dirname(p), `.${basename(p)}.tmp-export-${tag}`);
  try {
    await mkdir(stage(dir), { recursive: true });
    await mkdir(stage(truthDir), { recursive: true });
    const written = await exporter.write(bundle, stage(dir), stage(truthDir));
    for (const target of [dir, truthDir]) {
      await rm(target, { recursive: true, force: true });
      await rename(stage(target), target);
    }
    return { format: exporter.id, dir, truthDir, files: written.files, truth: written.truth };
  } finally {
    await rm(stage(dir), { recursive: true, force: true });
    await rm(stage(truthDir), { recursive: true, force: true });
    await bundle.close();
  }
}
