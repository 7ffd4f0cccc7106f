import { readFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { isRunning } from '../../process/proc-info.js';
import { PrometheusHttpClient } from '../../telemetry/prometheus-http-client.js';
import { parseSubstrateName } from '../../substrates/create-substrate.js';
import { localStateFile } from './up.js';

export function register(program: Command): void {
  program
    .command('status')
    .summary('show whether a substrate is up, its endpoints and scrape health')
    .addOption(new Option('--substrate <name>', 'local, kind or kubeconfig').default('local'))
    .addHelpText('after', '\nExit codes:\n  0  up\n  1  not up')
    .action(async (o: { substrate: string }) => {
      parseSubstrateName(o.substrate);
      const state = await readFile(localStateFile(), 'utf8')
        .then((t) => JSON.parse(t) as { pid: number; startedAt: string; endpoints: Record<string, string> })
        .catch(() => undefined);
      if (!state || !isRunning(state.pid)) {
        process.stdout.write('local substrate: down\n');
        process.exitCode = 1;
        return;
      }
      process.stdout.write(`local substrate: up (pid ${state.pid}, since ${state.startedAt})\n`);
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
