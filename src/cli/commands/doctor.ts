import type { Command } from 'commander';
import { ExitCode } from '../../errors/exit-codes.js';
import { blockingProblems, checkAll, formatToolReport } from '../../tools/doctor.js';
import { parseSubstrateName } from '../../substrates/create-substrate.js';

export function register(program: Command): void {
  program
    .command('doctor')
    .summary('list every prerequisite, found or missing, with the command to install it')
    .description(
      'Check the tools each substrate needs: prometheus, promtool, alertmanager, amtool and redis-server for the ' +
        'local substrate; docker, kind and kubectl for kind. Prints one line per tool: state, name, version, path, ' +
        'what needs it and, when missing, how to install it.',
    )
    .option(
      '--substrate <name>',
      'exit non-zero only for what this substrate needs (default: local)',
      'local',
    )
    .addHelpText(
      'after',
      '\nExit codes:\n  0  everything the substrate needs is installed\n  4  something it needs is missing or too old',
    )
    .action(async (o: { substrate: string }) => {
      const substrate = parseSubstrateName(o.substrate);
      const statuses = await checkAll();
      process.stdout.write(`${formatToolReport(statuses)}\n`);
      const blocking = blockingProblems(statuses).filter((s) => s.requiredFor.includes(substrate));
      process.exitCode = blocking.length > 0 ? ExitCode.MissingPrerequisite : ExitCode.Ok;
    });
}
