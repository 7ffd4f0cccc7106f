import type { Command } from 'commander';
import { ExitCode } from '../../errors/exit-codes.js';
import { formatProblem } from '../../errors/scenario-error.js';
import { defaultCatalog } from '../../faults/catalog.js';
import type { FaultRegistry } from '../../faults/fault-registry.js';
import { validatePaths } from '../../scenario/validate-paths.js';

export interface ValidateIo {
  stdout(line: string): void;
  stderr(line: string): void;
  registry?: FaultRegistry;
}

const processIo: ValidateIo = {
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
};

/**
 * Validates scenario files and directories. Problems go to stderr, exactly one
 * `file:line:col: field.path: message` line each, so editors and CI annotate them; the count of valid
 * files goes to stdout. Returns the exit code.
 */
export async function runValidate(paths: readonly string[], io: ValidateIo = processIo): Promise<ExitCode> {
  const report = await validatePaths(paths, io.registry ?? defaultCatalog());
  for (const p of report.problems) io.stderr(formatProblem(p));
  if (report.problems.length > 0) return ExitCode.InvalidInput;
  io.stdout(`${report.files.length} file(s) valid`);
  return ExitCode.Ok;
}

export function register(program: Command): void {
  program
    .command('validate')
    .summary('check scenario files without running them')
    .description(
      'Check scenario files: YAML syntax, duplicate keys, unknown fields, the schema, fault types and their ' +
        'params, substrates each fault supports, target kinds, entity ids, and ids unique across the files.',
    )
    .argument('<paths...>', 'scenario files, or directories searched recursively for *.yaml / *.yml')
    .addHelpText(
      'after',
      `
Output:
  stderr  one line per problem: file:line:col: field.path: message
  stdout  "N file(s) valid" when there is none

Exit codes:
  0  every file is valid
  2  at least one problem (or a path that does not exist)

Examples:
  firedrill validate scenarios/
  firedrill validate scenarios/shop/payment-latency.yaml my-scenario.yml

The format is described in docs/scenario-format.md; scenario.schema.json gives editors completion.`,
    )
    .action(async (paths: string[]) => {
      process.exitCode = await runValidate(paths);
    });
}
