import { Command } from 'commander';
import { TOOL_VERSION } from '../version.js';

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
  return program;
}

interface CommandModule {
  register(program: Command): void;
}

const COMMANDS: Array<() => Promise<CommandModule>> = [
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
];
