import type { Command } from 'commander';
import { createLogger } from '../../logging/logger.js';
import { isRunning } from '../../process/proc-info.js';
import { substrateRegistration } from '../../substrates/registry.js';
import {
  contextOption,
  kubeconfigOption,
  substrateOption,
  substrateOptionsFrom,
  substratesHelp,
  type SubstrateCliOptions,
} from '../support/substrate-options.js';
import { readUpState, removeUpState } from '../support/up-state.js';

export function register(program: Command): void {
  program
    .command('down')
    .summary('stop a running substrate and clean up processes a crashed run left behind')
    .description(
      'Ask a running `firedrill up` of the substrate to stop (SIGTERM: it recovers and stops what it started), ' +
        'then clean up what a crashed run left: for the local substrate, every process recorded in the pid files ' +
        'whose firedrill is gone and that is still the same process (checked by start time and command line); ' +
        'for kind, the cluster firedrill created. Processes of a run that is still alive are left to it.',
    )
    .addOption(substrateOption())
    .addOption(kubeconfigOption())
    .addOption(contextOption())
    .addHelpText(
      'after',
      '\nOutput:\n  stdout  one line per thing stopped or removed\n\nExit codes:\n  0  done\n  2  unknown substrate or bad option',
    )
    .addHelpText('after', substratesHelp)
    .action(async (o: SubstrateCliOptions) => {
      const { name, options } = substrateOptionsFrom(o, createLogger());
      const state = await readUpState(name);
      const lines: string[] = [];
      if (state && isRunning(state.pid)) {
        process.kill(state.pid, 'SIGTERM');
        for (let i = 0; i < 100 && isRunning(state.pid); i++) await new Promise((r) => setTimeout(r, 100));
        lines.push(`stopped firedrill up (pid ${state.pid})`);
      }
      await removeUpState(name);
      lines.push(...(await substrateRegistration(name).cleanup(options)));
      if (lines.length === 0) lines.push('nothing to stop');
      for (const l of lines) process.stdout.write(`${l}\n`);
    });
}
