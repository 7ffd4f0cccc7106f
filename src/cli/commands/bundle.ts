import type { Command } from 'commander';
import { ExitCode } from '../../errors/index.js';
import { escapeStrings } from '../../util/escape-text.js';
import {
  formatProblem,
  packBundle,
  unpackBundle,
  verifyBundlePath,
  type VerifyResult,
} from '../../bundle/index.js';
import {
  addOutputOptions,
  formatStructured,
  outputFormat,
  type OutputCliOptions,
} from '../support/output-format.js';
import { addDiff } from './bundle-diff.js';
import { addExport } from './bundle-export.js';
import { processIo, type CommandIo } from '../support/command-io.js';

export type BundleIo = CommandIo;

export interface VerifyCliOptions extends OutputCliOptions {
  strict?: boolean;
}

/**
 * `bundle verify`: `ok <path> (N files)` per intact bundle; otherwise every problem on its own line.
 * Leak-rule findings are warnings on stderr unless --strict makes them problems.
 */
export async function runVerify(
  paths: string[],
  opts: VerifyCliOptions,
  io: BundleIo = processIo,
): Promise<ExitCode> {
  const format = outputFormat(opts);
  const results: VerifyResult[] = [];
  for (const path of paths) {
    const r = await verifyBundlePath(path);
    if (opts.strict && r.warnings.length > 0) {
      r.problems.push(...r.warnings);
      r.warnings = [];
      r.ok = false;
    }
    // problem messages quote what the archive or manifest holds; escaped before any of it is printed
    results.push({ ...r, problems: escapeStrings(r.problems), warnings: escapeStrings(r.warnings) });
  }
  if (format !== 'text') {
    const out = results.map(({ source, packed, ok, files, problems, warnings, manifest, rootSha256 }) => ({
      path: source,
      packed,
      ok,
      files,
      bundleId: manifest?.bundleId ?? null,
      rootSha256,
      problems: problems.map((p) => ({ ...p, text: formatProblem({ source, packed }, p) })),
      warnings: warnings.map((p) => ({ ...p, text: formatProblem({ source, packed }, p) })),
    }));
    io.stdout(formatStructured(out, format));
  } else {
    for (const r of results) {
      for (const w of r.warnings) io.stderr(`firedrill: warning: ${formatProblem(r, w)}\n`);
      if (r.ok) io.stdout(`ok ${r.source} (${r.files} files)\n`);
      else for (const p of r.problems) io.stdout(`${formatProblem(r, p)}\n`);
    }
  }
  return results.every((r) => r.ok) ? ExitCode.Ok : ExitCode.Failure;
}

export async function runPack(
  dir: string,
  opts: { output?: string },
  io: BundleIo = processIo,
): Promise<ExitCode> {
  const r = await packBundle(dir, opts.output);
  io.stdout(`${r.file}\n`);
  return ExitCode.Ok;
}

export async function runUnpack(
  file: string,
  dir: string,
  opts: { replace?: boolean },
  io: BundleIo = processIo,
): Promise<ExitCode> {
  const r = await unpackBundle(file, dir, { replace: opts.replace });
  io.stdout(`${r.dir}\n`);
  return ExitCode.Ok;
}

const setExit = (code: ExitCode): void => {
  if (code !== ExitCode.Ok) process.exitCode = code;
};

function addVerify(bundle: Command): void {
  const verify = bundle
    .command('verify')
    .summary('check bundles against their manifests')
    .description(
      'Check bundle directories or packed bundles (.tar.gz) against their manifest.json and list every ' +
        'problem: missing, extra or changed files (size, sha256), record counts, .ndjson lines that are not ' +
        'JSON (with line numbers), invalid JSON, a wrong format version, a manifest or ground truth failing ' +
        'its schema. A packed bundle is unpacked to a temporary directory with the same safety checks as ' +
        '`bundle unpack`. Also scans snapshot/ for the leak rule (no mention of firedrill, the scenario id ' +
        'or a fault type): findings are warnings unless --strict.',
    )
    .argument('<bundle...>', 'bundle directory or packed bundle (.tar.gz, .tgz, .tar)')
    .option('--strict', 'treat leak-rule findings as problems (exit 1)');
  addOutputOptions(verify, { jsonAlias: true, what: 'the results' })
    .addHelpText(
      'after',
      `
Output:
  stdout  "ok <path> (N files)" per intact bundle; otherwise one line per problem,
          "<bundle>/<file>: <problem>" ("<archive>!<file>: ..." for packed bundles)
  stderr  leak-rule warnings
  -o json|yaml (--json is -o json): nothing on stderr; on stdout an array, one entry per bundle:
          {path, packed, ok, files, bundleId, rootSha256, problems[], warnings[]}
  rootSha256 is the bundle's root digest, the SHA-256 of its manifest.json, which pins every file;
  a packed bundle with a <name>.bundle.sha256 beside it (bundle pack writes one) must match it.

Exit codes: 0 every bundle intact; 1 a problem found (or a leak with --strict); 2 bad option.

Examples:
  firedrill bundle verify out/payment-latency-r0
  firedrill bundle verify out/*.tar.gz --strict`,
    )
    .action(async (paths: string[], opts: VerifyCliOptions) => setExit(await runVerify(paths, opts)));
}

function addPack(bundle: Command): void {
  bundle
    .command('pack')
    .summary('pack a bundle into a deterministic .tar.gz')
    .description(
      'Pack a bundle directory into a .tar.gz after verifying it. The same bundle always packs to the same ' +
        'bytes: entries sorted, under one folder named after the bundle id, mtime 0, uid/gid 0, no owner ' +
        'names, mode 0644 (folders 0755), gzip level 6 without file name or time. Prints the output path.',
    )
    .argument('<dir>', 'bundle directory')
    .option('-o, --output <file>', 'where to write the archive (default: <dir>.tar.gz)')
    .addHelpText(
      'after',
      `
Output: the archive's path on stdout; problems on stderr. Beside the archive, <name>.bundle.sha256 holds
the bundle's root digest (the SHA-256 of its manifest.json, "<digest>  <bundleId>/manifest.json"),
which verify, grade and export check when it is there; publish it with the archive.
Unlike other commands, -o/--output here names the archive file, not an output format: pack prints
only a path, so it has no json/yaml form, and its -o predates the format option.

Exit codes: 0 packed; 1 the bundle does not verify (every problem listed) or cannot be written;
2 bad usage.

Examples:
  firedrill bundle pack out/payment-latency-r0
  firedrill bundle pack out/payment-latency-r0 -o dist/task-17.tar.gz && sha256sum dist/task-17.tar.gz`,
    )
    .action(async (dir: string, opts: { output?: string }) => setExit(await runPack(dir, opts)));
}

function addUnpack(bundle: Command): void {
  bundle
    .command('unpack')
    .summary('unpack a packed bundle safely')
    .description(
      'Unpack a packed bundle into <dir>/<bundleId> and print that path. Every header is checked before ' +
        'anything is written: absolute paths, ".." segments, symbolic and hard links, devices, FIFOs, ' +
        'paths escaping <dir>, a pax header setting such a path and truncated archives are refused, naming ' +
        'the entry. The archive is bounded by its own manifest: no file larger than listed, no more bytes ' +
        'than listed in all (and never more than 4 GiB), and no more than the free disk; it stops at the ' +
        'first excess. Files are written to a hidden temporary folder inside <dir> and renamed into place; ' +
        'the temporary folder is removed on every exit, Ctrl-C and SIGTERM included.',
    )
    .argument('<file>', 'packed bundle (.tar.gz, .tgz or .tar)')
    .argument('<dir>', 'directory to unpack into (created if missing)')
    .option(
      '--replace',
      'replace an existing <dir>/<bundleId>, if it is a bundle that verifies, once the new one unpacked and verified',
    )
    .addHelpText(
      'after',
      `
Output: the unpacked bundle's directory, <dir>/<bundleId>, on stdout.

Exit codes: 0 unpacked; 1 unsafe, damaged or oversized archive, not a bundle, the target exists (or,
with --replace, is not a bundle that verifies, or the new bundle does not verify); 2 bad usage;
130 interrupted (nothing left behind).

Examples:
  firedrill bundle unpack task-17.tar.gz /tmp/tasks
  firedrill bundle verify "$(firedrill bundle unpack task-17.tar.gz /tmp/tasks)"`,
    )
    .action(async (file: string, dir: string, opts: { replace?: boolean }) =>
      setExit(await runUnpack(file, dir, opts)),
    );
}

/** `bundle` subcommands, one function each; `export` and `diff` are added here. */
const BUNDLE_SUBCOMMANDS: Array<(bundle: Command) => void> = [
  addVerify,
  addPack,
  addUnpack,
  addExport,
  addDiff,
];

export function register(program: Command): void {
  const bundle = program
    .command('bundle')
    .summary('verify, pack, unpack, export and diff snapshot bundles')
    .description(
      'Work with snapshot bundles (format 1, docs/bundle-format.md): a directory with manifest.json, ' +
        'snapshot/ (what an agent sees) and truth/ (ground truth for grading).',
    )
    .addHelpText(
      'after',
      `
Output and exit codes: those of the subcommand (firedrill bundle <subcommand> --help); without one,
this help on stderr and exit code 2.`,
    );
  for (const add of BUNDLE_SUBCOMMANDS) add(bundle);
}
