import { Command } from 'commander';
import { TOOL_VERSION } from '../version.js';
import { addEnvironmentHelp } from './support/environment.js';

/**
 * Builds the command tree. Each command lives in its own file under commands/ and exports
 * `register(program)`; add new commands to the list below.
 */
export async function buildProgram(): Promise<Command> {
  const program = new Command('firedrill')
    .description(
      'Stage realistic Kubernetes incidents and freeze them into snapshot bundles for SRE-agent benchmarks',
    )
    .version(TOOL_VERSION)
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)');

  const modules = await Promise.all(COMMANDS.map((load) => load()));
  for (const m of modules) m.register(program);
  program.addHelpText('after', ROOT_HELP);
  // after every command is registered: the sections depend on each command's options
  addEnvironmentHelp(program);
  return program;
}

const ROOT_HELP = `
Every command's --help states its output and exit codes. Commands that print results take
-o json|yaml (the same data in both, on stdout; progress and warnings stay on stderr).

Exit codes:
  0    success
  1    a check failed (bundle verify found mismatches, a run failed after starting, a truth file unreadable)
  2    invalid input: scenario, fault type, params, entity id, option; nothing was started
  3    a run completed but the incident did not manifest (its bundle is written, manifested: false)
  4    a prerequisite is missing (the message names it and how to install it)
  5    the substrate could not be brought up or timed out
  130  interrupted: faults recovered, processes stopped, no partial bundle left`;

interface CommandModule {
  register(program: Command): void;
}

export const COMMANDS: Array<() => Promise<CommandModule>> = [
  // commands are appended here, one import per file in commands/
  () => import('./commands/validate.js'),
  () => import('./commands/faults.js'),
  () => import('./commands/grade.js'),
  () => import('./commands/run.js'),
  () => import('./commands/up.js'),
  () => import('./commands/down.js'),
  () => import('./commands/status.js'),
  () => import('./commands/doctor.js'),
  () => import('./commands/bundle.js'),
  () => import('./commands/corpus.js'),
  () => import('./commands/baseline.js'),
  () => import('./commands/generate.js'),
  () => import('./commands/eval.js'),
  () => import('./commands/reproduce.js'),
  () => import('./commands/report.js'),
  () => import('./commands/version.js'),
  () => import('./commands/completion.js'),
];
