import { Argument, type Command } from 'commander';
import { TOOL_VERSION } from '../../version.js';
import {
  COMPLETION_INSTALL,
  completionScript,
  parseShell,
  SHELLS,
  type Shell,
} from '../support/completion.js';

export function register(program: Command): void {
  program
    .command('completion')
    .summary('print a shell completion script (bash, zsh or fish)')
    .description(
      'Print a completion script for the shell, generated from the commands, subcommands and options of ' +
        'this firedrill (the -o formats and --substrate names included).',
    )
    .addArgument(
      new Argument('<shell>', 'the shell to complete in')
        // choices() for --help and completion itself; the parser gives our one-line error instead
        .choices(SHELLS)
        .argParser(parseShell),
    )
    .addHelpText(
      'after',
      `${COMPLETION_INSTALL}

Output:
  stdout  the script

Exit codes:
  0  printed
  2  unknown shell`,
    )
    .action((shell: Shell) => {
      // the whole tree is registered by the time any action runs
      process.stdout.write(completionScript(shell, program, TOOL_VERSION));
    });
}
