import type { Command } from 'commander';
import { FiredrillError } from '../../errors/firedrill-error.js';
import { ExitCode } from '../../errors/exit-codes.js';
import { createLogger } from '../../logging/logger.js';
import { createSubstrate } from '../../substrates/registry.js';
import { abortOnSignals } from '../support/interrupts.js';
import { StderrProgress } from '../support/progress.js';
import {
  contextOption,
  kubeconfigOption,
  substrateOption,
  substrateOptionsFrom,
  substratesHelp,
  type SubstrateCliOptions,
} from '../support/substrate-options.js';
import { removeUpState, writeUpState } from '../support/up-state.js';

export function register(program: Command): void {
  program
    .command('up')
    .summary('bring the substrate up with the shop deployed, and keep it up until Ctrl-C')
    .description(
      'Start the substrate and deploy the shop, its load generator and the observability stack, then stay in the ' +
        "foreground (the local substrate is made of this process's children) printing the endpoints. Ctrl-C stops " +
        'everything. Use it to explore the shop, write a scenario or watch alerts in Prometheus.',
    )
    .addOption(substrateOption())
    .addOption(kubeconfigOption())
    .addOption(contextOption())
    .addHelpText(
      'after',
      '\nOutput:\n  stdout  one line per endpoint: name<TAB>URL\n  stderr  progress\n' +
        '\nExit codes:\n  0    stopped by Ctrl-C after a clean bring-up\n  2    unknown substrate or bad option\n' +
        '  4    a prerequisite is missing\n  5    bring-up failed or timed out\n' +
        '  130  interrupted during bring-up; everything stopped',
    )
    .addHelpText('after', substratesHelp)
    .action(async (o: SubstrateCliOptions) => {
      const logger = createLogger();
      const { name, options } = substrateOptionsFrom(o, logger);
      const interrupts = abortOnSignals();
      const substrate = await createSubstrate(name, options);
      const progress = new StderrProgress();
      try {
        await substrate.up(interrupts.signal, progress);
        const endpoints = substrate.endpoints?.() ?? {};
        await writeUpState({
          pid: process.pid,
          substrate: name,
          startedAt: new Date().toISOString(),
          endpoints,
        });
        for (const [k, v] of Object.entries(endpoints)) process.stdout.write(`${k}\t${v}\n`);
        progress.phase('up', 'ready; Ctrl-C to stop');
        await new Promise<void>((r) =>
          interrupts.signal.addEventListener('abort', () => r(), { once: true }),
        );
      } catch (err) {
        if (interrupts.signal.aborted)
          throw new FiredrillError('interrupted during bring-up; everything stopped', ExitCode.Interrupted, {
            cause: err,
          });
        throw err;
      } finally {
        progress.phase('down', 'stopping');
        await substrate.down();
        await removeUpState(name);
        interrupts.dispose();
      }
    });
}
