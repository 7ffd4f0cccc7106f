import { readFile, rm } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { killStale } from '../../process/kill-stale.js';
import { isRunning } from '../../process/proc-info.js';
import { parseSubstrateName } from '../../substrates/create-substrate.js';
import { localPidDir } from '../support/state-dir.js';
import { localStateFile } from './up.js';
import { DEFAULT_KIND_CLUSTER, deleteKindCluster } from '../../substrates/kind/kind-substrate.js';

export function register(program: Command): void {
  program
    .command('down')
    .summary('stop a running substrate and clean up processes a crashed run left behind')
    .description(
      'Local substrate: ask a running `firedrill up` to stop (SIGTERM, it recovers and stops its children), then ' +
        'kill every process recorded in the pid files whose firedrill is gone and that is still the same process ' +
        '(checked by start time and command line): what a run killed with SIGKILL could not clean up itself. ' +
        'Processes of a run that is still alive are left to it.',
    )
    .addOption(new Option('--substrate <name>', 'local, kind or kubeconfig').default('local'))
    .action(async (o: { substrate: string }) => {
      const name = parseSubstrateName(o.substrate);
      if (name === 'kind') {
        const existed = await deleteKindCluster();
        process.stdout.write(
          existed ? `deleted kind cluster ${DEFAULT_KIND_CLUSTER}\n` : 'no kind cluster to delete\n',
        );
        return;
      }
      if (name === 'kubeconfig') {
        process.stdout.write('kubeconfig substrate: firedrill never owns the cluster; nothing to stop\n');
        return;
      }
      const state = await readFile(localStateFile(), 'utf8')
        .then((t) => JSON.parse(t) as { pid: number })
        .catch(() => undefined);
      if (state && isRunning(state.pid)) {
        process.kill(state.pid, 'SIGTERM');
        for (let i = 0; i < 100 && isRunning(state.pid); i++) await new Promise((r) => setTimeout(r, 100));
        process.stdout.write(`stopped firedrill up (pid ${state.pid})\n`);
      }
      await rm(localStateFile(), { force: true });
      // Only what a dead firedrill left behind: a live `run` cleans up after itself and must not lose its pods.
      const outcomes = await killStale(localPidDir());
      for (const x of outcomes)
        process.stdout.write(`${x.action}\t${x.pid ?? '-'}\t${x.name ?? ''}\t${x.detail}\n`);
      if (outcomes.length === 0 && !state) process.stdout.write('nothing to stop\n');
    });
}
