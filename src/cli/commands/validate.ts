import type { Command } from 'commander';
import { ExitCode } from '../../errors/exit-codes.js';
import { formatProblem } from '../../errors/scenario-error.js';
import { defaultCatalog } from '../../faults/catalog.js';
import type { FaultRegistry } from '../../faults/fault-registry.js';
import { validatePaths } from '../../scenario/validate-paths.js';
import { escapeStrings } from '../../util/escape-text.js';
import {
  addOutputOptions,
  formatStructured,
  outputFormat,
  type OutputCliOptions,
} from '../support/output-format.js';

export interface ValidateIo {
  stdout(line: string): void;
  stderr(line: string): void;
  registry?: FaultRegistry;
}

const processIo: ValidateIo = {
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
};

/** `validate -o json|yaml`: the files checked and every problem, one document. */
export interface ValidateDocument {
  valid: boolean;
  files: string[];
  problems: Array<{ file: string; line: number; col: number; path: string; message: string; text: string }>;
}

/**
 * Validates scenario files and directories. Problems go to stderr, exactly one
 * `file:line:col: field.path: message` line each, so editors and CI annotate them; the count of valid
 * files goes to stdout. With -o json|yaml, one document on stdout holds both. Returns the exit code.
 */
export async function runValidate(
  paths: readonly string[],
  io: ValidateIo = processIo,
  opts: OutputCliOptions = {},
): Promise<ExitCode> {
  const format = outputFormat(opts);
  const found = await validatePaths(paths, io.registry ?? defaultCatalog());
  // problems quote the file's values, keys and names; escaped before any of it reaches a terminal
  const report = { files: escapeStrings(found.files), problems: escapeStrings(found.problems) };
  const code = report.problems.length > 0 ? ExitCode.InvalidInput : ExitCode.Ok;
  if (format !== 'text') {
    const doc: ValidateDocument = {
      valid: code === ExitCode.Ok,
      files: report.files,
      problems: report.problems.map((p) => ({ ...p, text: formatProblem(p) })),
    };
    io.stdout(formatStructured(doc, format).trimEnd());
    return code;
  }
  for (const p of report.problems) io.stderr(formatProblem(p));
  if (report.problems.length > 0) return ExitCode.InvalidInput;
  io.stdout(`${report.files.length} file(s) valid`);
  return ExitCode.Ok;
}

export function register(program: Command): void {
  const validate = program
    .command('validate')
    .summary('check scenario files without running them')
    .description(
      'Check scenario files: YAML syntax, duplicate keys, unknown fields, the schema, fault types and their ' +
        'params, substrates each fault supports, target kinds, entity ids, and ids unique across the files.',
    )
    .argument('<paths...>', 'scenario files, or directories searched recursively for *.yaml / *.yml');
  addOutputOptions(validate, { what: 'the files checked and their problems' })
    .addHelpText(
      'after',
      `
Output:
  stderr  one line per problem: file:line:col: field.path: message
  stdout  "N file(s) valid" when there is none
  -o json|yaml: nothing on stderr; on stdout one document
          {valid, files[], problems[{file, line, col, path, message, text}]}

Exit codes:
  0  every file is valid
  2  at least one problem (or a path that does not exist), or a bad option

Limits: a file of at most 1 MiB (one YAML document, nested at most 64 levels, at most 64 aliases);
durations at most 24h; fault targets must exist in the app's manifests (manifests/shop), and every
namespaced id must be in the app's namespace.

Examples:
  firedrill validate scenarios/
  firedrill validate scenarios/shop/payment-latency.yaml my-scenario.yml

The format is described in docs/scenario-format.md; scenario.schema.json gives editors completion.`,
    )
    .action(async (paths: string[], opts: OutputCliOptions) => {
      process.exitCode = await runValidate(paths, processIo, opts);
    });
}
