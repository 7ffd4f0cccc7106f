import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Option, type Command } from 'commander';
import { FiredrillError } from '../../errors/firedrill-error.js';
import { ExitCode } from '../../errors/exit-codes.js';
import { createLogger } from '../../logging/logger.js';
import { createSubstrate, parseSubstrateName } from '../../substrates/create-substrate.js';
import { abortOnSignals } from '../support/interrupts.js';
import { StderrProgress } from '../support/progress.js';
import { localPidDir, stateDir } from '../support/state-dir.js';

export const localStateFile = (): string => join(stateDir(), 'local', 'state.json');

export function register(program: Command): void {
  program
    .command('up')
    .summary('bring the substrate up with the shop deployed, and keep it up until Ctrl-C')
    .description(
      'Start the substrate and deploy the shop, its load generator and the observability stack, then stay in the ' +
        "foreground (the local substrate is made of this process's children) printing the endpoints. Ctrl-C stops " +
        'everything. Use it to explore the shop, write a scenario or watch alerts in Prometheus.',
    )
    .addOption(new Option('--substrate <name>', 'local, kind or kubeconfig').default('local'))
    .addHelpText(
      'after',
      '\nExit codes:\n  0    stopped by Ctrl-C after a clean bring-up\n  4    a prerequisite is missing\n  5    bring-up failed or timed out',
    )
    .action(async (o: { substrate: string }) => {
      const name = parseSubstrateName(o.substrate);
      const logger = createLogger();
      const interrupts = abortOnSignals();
      const substrate = await createSubstrate(name, { logger, pidDir: localPidDir() });
      const progress = new StderrProgress();
      try {
        await substrate.up(interrupts.signal, progress);
        const endpoints =
          'endpoints' in substrate ? (substrate as { endpoints(): Record<string, string> }).endpoints() : {};
        await mkdir(dirname(localStateFile()), { recursive: true });
        await writeFile(
          localStateFile(),
          JSON.stringify(
            { pid: process.pid, substrate: name, startedAt: new Date().toISOString(), endpoints },
            null,
            2,
          ),
        );
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
        await rm(localStateFile(), { force: true });
        interrupts.dispose();
      }
    });
}
