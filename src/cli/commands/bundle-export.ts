import { Option, type Command } from 'commander';
import { lstat, rmdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { BundleError } from '../../errors/bundle-error.js';
import { ExitCode } from '../../errors/exit-codes.js';
import { IntegrityError } from '../../errors/integrity-error.js';
import { EXPORTERS, exportBundle, exportTargets } from '../../export/index.js';
import { DirectoryError, ensureDir, probeWritableDir } from '../../util/safe-fs.js';
import {
  addOutputOptions,
  formatStructured,
  outputFormat,
  type OutputCliOptions,
} from '../support/output-format.js';
import { processIo, type CommandIo } from '../support/command-io.js';

export interface ExportCliOptions extends OutputCliOptions {
  format: string;
  truthDir?: string;
  replace?: boolean;
  /** commander's --no-verify. */
  verify?: boolean;
}

export type ExportIo = Pick<CommandIo, 'stdout'>;

/** `bundle export`: prints the export directory and the truth directory, one per line (or a document). */
export async function runExport(
  bundle: string,
  dir: string,
  opts: ExportCliOptions,
  io: ExportIo = processIo,
): Promise<ExitCode> {
  const format = outputFormat(opts);
  const targets = exportTargets(dir, opts.truthDir);
  // folders made for the export's parents, removed again when it fails: a refused export leaves nothing
  const made: string[] = [];
  let r;
  try {
    for (const d of [targets.dir, targets.truthDir]) await requireWritableParent(d, made);
    r = await exportBundle(opts.format, bundle, dir, {
      truthDir: opts.truthDir,
      replace: opts.replace,
      verify: opts.verify !== false,
    });
  } catch (err) {
    for (const d of made.sort((a, b) => b.length - a.length)) await rmdir(d).catch(() => undefined);
    if (err instanceof IntegrityError)
      throw new IntegrityError(
        err.file,
        `${err.message.slice(err.file.length + 2)}; --no-verify exports it anyway`,
      );
    throw err;
  }
  if (format !== 'text') io.stdout(formatStructured(r, format));
  else io.stdout(`${r.dir}\n${r.truthDir}\n`);
  return ExitCode.Ok;
}

/**
 * The export is staged beside its target, so the target's parent must exist and take new entries. Checked
 * first and created one level at a time (each folder made is added to `made`): a recursive mkdir spins forever where the kernel answers ENOENT
 * for a parent that exists (/proc/self/x).
 */
async function requireWritableParent(target: string, made: string[]): Promise<void> {
  for (let d = dirname(target); d !== dirname(d); d = dirname(d)) {
    const missing = await lstat(d).then(
      () => false,
      (err: NodeJS.ErrnoException) => err.code === 'ENOENT',
    );
    if (!missing) break;
    made.push(d);
  }
  try {
    await ensureDir(dirname(target));
    await probeWritableDir(dirname(target));
  } catch (err) {
    if (err instanceof DirectoryError)
      throw new BundleError(`${target}: cannot export there: ${err.message}`);
    throw err;
  }
}

export function addExport(bundle: Command): void {
  const command = bundle
    .command('export')
    .summary("write a bundle in another harness' layout or a standard format (OTLP, OpenMetrics)")
    .description(
      'Export a bundle (directory or packed) for another benchmark harness. What an agent may see goes to ' +
        '<dir>; the ground truth goes to a separate directory (--truth-dir, default <dir>.truth) so the two ' +
        'can be handed out separately. Both are written under temporary names and renamed into place.',
    )
    .argument('<bundle>', 'bundle directory or packed bundle (.tar.gz)')
    .argument('<dir>', 'directory to write the export to')
    .addOption(
      new Option('--format <format>', 'target layout')
        .choices(EXPORTERS.map((e) => e.id))
        .makeOptionMandatory(),
    )
    .option('--truth-dir <dir>', 'where the ground truth goes (default: <dir>.truth)')
    .option('--replace', 'replace existing output directories')
    .option('--no-verify', 'export without checking what is read against the manifest (hand-edited bundles)');
  addOutputOptions(command, { jsonAlias: true, what: 'the directories and files written, with row counts,' })
    .addHelpText(
      'after',
      `
Formats (docs/export-formats.md has every column and what is approximated):
  itbench-lite  alerts/alerts_at_<time>.json, metrics/<kind>_<name>_raw.tsv, k8s_events_raw.tsv,
                k8s_objects_raw.tsv, otel_logs_raw.tsv, otel_traces_raw.tsv (ClickHouse OTel columns);
                truth: ground_truth.yaml (groups[] with root_cause: true)
  rcaeval       data.csv (time + <service>_cpu/mem/latency-50/latency-90/workload/error),
                metrics.csv (every series), logs.csv, traces.csv, inject_time.txt;
                truth: root_cause.txt, ground_truth.json
  otlp          traces.jsonl: one OTLP/JSON ExportTraceServiceRequest a line, resource attributes and
                span kinds kept (OTel Collector otlpjsonfile receiver; POST a line to /v1/traces);
                truth: ground_truth.json
  openmetrics   metrics.openmetrics.txt: OpenMetrics text with timestamps, for
                promtool tsdb create-blocks-from openmetrics; truth: ground_truth.json

Output: the export directory and the truth directory, one per line; -o json|yaml (--json is
-o json): one document with both directories and every file written, with its row count.
Every file read is checked against the bundle's manifest (size and sha256; a packed bundle's
<name>.bundle.sha256 against its manifest) and a bundle holding a symbolic link is refused;
--no-verify skips the manifest checks, for authors exporting a bundle they edit by hand.

Exit codes: 0 exported; 1 unreadable bundle, a file not matching the manifest, or write failure;
2 unknown format or the target exists.

Examples:
  firedrill bundle export --format itbench-lite out/bundles/incident-3f2a9c1b7d0e /tmp/Scenario-1
  firedrill bundle export --format rcaeval task.tar.gz /tmp/rca/case-1 --truth-dir /tmp/rca-truth/case-1
  firedrill bundle export --format openmetrics out/incident-3f2a9c1b7d0e /tmp/om &&
    promtool tsdb create-blocks-from openmetrics /tmp/om/metrics.openmetrics.txt /tmp/prom-data`,
    )
    .action(async (bundlePath: string, dir: string, opts: ExportCliOptions) => {
      const code = await runExport(bundlePath, dir, opts);
      if (code !== ExitCode.Ok) process.exitCode = code;
    });
}
