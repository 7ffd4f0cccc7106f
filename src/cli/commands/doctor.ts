import type { Command } from 'commander';
import { ExitCode } from '../../errors/exit-codes.js';
import { blockingProblems, checkAll, formatToolReport } from '../../tools/doctor.js';
import { parseSubstrateName, SUBSTRATES, toolRequirements } from '../../substrates/registry.js';
import { substrateOption, type SubstrateCliOptions } from '../support/substrate-options.js';

export function register(program: Command): void {
  const needs = SUBSTRATES.map(
    (s) => `${s.name}: ${s.tools.map((t) => t.name).join(', ') || 'nothing installed locally'}`,
  ).join('; ');
  program
    .command('doctor')
    .summary('list every prerequisite, found or missing, with the command to install it')
    .description(
      `Check the tools each substrate needs (${needs}). Prints one line per tool: state, name, version, path, ` +
        'what needs it and, when missing, how to install it.',
    )
    .addOption(substrateOption())
    .addHelpText(
      'after',
      '\nOutput:\n  stdout  one aligned line per tool\n' +
        '\nExit codes:\n  0  everything the substrate needs is installed\n  2  unknown substrate\n  4  something it needs is missing or too old',
    )
    .action(async (o: SubstrateCliOptions) => {
      const substrate = parseSubstrateName(o.substrate);
      const statuses = await checkAll({ requiredBy: toolRequirements() });
      process.stdout.write(`${formatToolReport(statuses)}\n`);
      const blocking = blockingProblems(statuses).filter((s) => s.requiredFor.includes(substrate));
      process.exitCode = blocking.length > 0 ? ExitCode.MissingPrerequisite : ExitCode.Ok;
    });
}
