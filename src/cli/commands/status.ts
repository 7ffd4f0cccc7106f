import type { Command } from 'commander';
import { isRunning } from '../../process/proc-info.js';
import { PrometheusHttpClient } from '../../telemetry/prometheus-http-client.js';
import { parseSubstrateName } from '../../substrates/registry.js';
import { substrateOption, type SubstrateCliOptions } from '../support/substrate-options.js';
import { readUpState } from '../support/up-state.js';

export function register(program: Command): void {
  program
    .command('status')
    .summary('show whether a `firedrill up` is running, its endpoints and scrape health')
    .addOption(substrateOption())
    .addHelpText(
      'after',
      '\nOutput:\n  stdout  "<substrate> substrate: up|down", then name<TAB>URL per endpoint and scrape health\n' +
        '\nExit codes:\n  0  up\n  1  not up\n  2  unknown substrate',
    )
    .action(async (o: SubstrateCliOptions) => {
      const name = parseSubstrateName(o.substrate);
      const state = await readUpState(name);
      if (!state || !isRunning(state.pid)) {
        process.stdout.write(`${name} substrate: down\n`);
        process.exitCode = 1;
        return;
      }
      process.stdout.write(`${name} substrate: up (pid ${state.pid}, since ${state.startedAt})\n`);
      for (const [k, v] of Object.entries(state.endpoints)) process.stdout.write(`${k}\t${v}\n`);
      if (state.endpoints.prometheus) {
        const t = await new PrometheusHttpClient({ baseUrl: state.endpoints.prometheus, timeoutMs: 3000 })
          .targets('active')
          .catch(() => undefined);
        if (t) {
          const up = t.activeTargets.filter((x) => x.health === 'up').length;
          process.stdout.write(`scrape targets\t${up}/${t.activeTargets.length} up\n`);
          for (const x of t.activeTargets.filter((y) => y.health !== 'up'))
            process.stdout.write(`  down\t${x.labels.pod ?? x.scrapeUrl}\t${x.lastError}\n`);
        }
      }
    });
}
