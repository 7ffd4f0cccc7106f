/**
 * A real one-node Kubernetes cluster on this machine, built from Go modules and local images (stage B of
 * docs/air-gapped.md), for `firedrill run --substrate kubeconfig` where kind cannot run.
 *
 *   node --import tsx scripts/local-cluster.ts up [--verbose]
 *                                                     start it, write its kubeconfig, stay up until Ctrl-C
 *                                                     (--verbose: the components' own log lines on stderr)
 *   node --import tsx scripts/local-cluster.ts down   take back what a killed `up` left (processes, pods,
 *                                                     mounts, the pod bridge, iptables rules)
 *
 * `up` writes the admin kubeconfig to ${FIREDRILL_CACHE:-~/.cache/firedrill}/cluster/kubeconfig and prints
 * `export KUBECONFIG=<it>` on stdout. Needs root, the binaries of `make node-tools` and the images of `make local-images`.
 * Exit codes: 0 stopped cleanly; 2 bad usage; 4 something missing (named); 5 the cluster failed to start;
 * 130 interrupted while starting (everything it had started is stopped).
 */
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ProcessRegistry } from '../src/process/process-registry.js';
import { errorText } from '../src/util/error-text.js';
import { clusterUnavailable } from '../src/airgap/cluster-prerequisites.js';
import { clusterImages, AirgapCluster } from '../src/airgap/airgap-cluster.js';

const say = (msg: string): void => {
  process.stderr.write(`local-cluster: ${msg}\n`);
};

function stateDir(): string {
  return join(process.env.FIREDRILL_CACHE ?? join(homedir(), '.cache', 'firedrill'), 'cluster');
}

async function up(): Promise<number> {
  const images = clusterImages();
  const why = clusterUnavailable(images);
  if (why) {
    say(`cannot start: ${why}`);
    return 4;
  }
  await AirgapCluster.cleanStale();
  say(
    'starting: pod network, etcd, kube-apiserver, kube-controller-manager, containerd, kubelet, scheduler, kube-proxy, CoreDNS',
  );
  // Ctrl-C is handled here (stop in order, undo the host changes), not by the registry; one that comes
  // while the cluster starts stops it as soon as the start is over, so nothing is left half made.
  let interrupted = false;
  let started = false;
  const stopRequested = new Promise<void>((resolve) => {
    const onSignal = (): void => {
      if (!interrupted && !started) say('stopping as soon as the start is over');
      interrupted = true;
      resolve();
    };
    // `on`, not `once`: the process registry exits on a signal nobody else listens to, and it counts
    // listeners after ours has run. A second signal makes it kill every component at once.
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  let cluster: AirgapCluster;
  try {
    cluster = await AirgapCluster.start({
      images,
      registry: new ProcessRegistry({ killOnSignal: false }),
      onLine: verbose ? (l) => process.stderr.write(`[${l.source}] ${l.line}\n`) : undefined,
    });
  } catch (err) {
    say(`the cluster did not start: ${errorText(err)}`);
    return interrupted ? 130 : 5;
  }
  started = true;
  if (interrupted) {
    await cluster.stop();
    say('stopped');
    return 130;
  }
  const kubeconfig = join(stateDir(), 'kubeconfig');
  await mkdir(stateDir(), { recursive: true, mode: 0o700 });
  await copyFile(cluster.kubeconfigPath, kubeconfig);
  const t = cluster.timings;
  say(
    `up in ${(t.total / 1000).toFixed(1)} s (control plane ${(t.controlPlane / 1000).toFixed(1)} s, node ${(t.node / 1000).toFixed(1)} s)`,
  );
  say(
    `run scenarios with: KUBECONFIG=${kubeconfig} ./bin/firedrill.js run <scenario> --substrate kubeconfig`,
  );
  say('Ctrl-C stops the cluster and removes everything it made');
  process.stdout.write(`export KUBECONFIG=${kubeconfig}\n`);
  await stopRequested;
  say('stopping');
  await cluster.stop();
  await rm(kubeconfig, { force: true });
  say('stopped');
  return 0;
}

async function down(): Promise<number> {
  if (process.getuid?.() !== 0) {
    say('needs root: run it with sudo');
    return 4;
  }
  await AirgapCluster.cleanStale();
  await rm(join(stateDir(), 'kubeconfig'), { force: true });
  say('nothing of a local cluster is left');
  return 0;
}

const [command, ...rest] = process.argv.slice(2);
const verbose = rest.includes('--verbose');
const run = command === 'up' ? up : command === 'down' ? down : undefined;
if (command === '--help' || command === '-h') {
  process.stdout.write(
    'Usage: node --import tsx scripts/local-cluster.ts up [--verbose] | down\n' +
      '  up    a one-node Kubernetes cluster built here, until Ctrl-C; prints export KUBECONFIG=...\n' +
      '  down  remove what a killed `up` left (processes, pods, mounts, the pod bridge, iptables rules)\n' +
      'Needs root, make node-tools and make local-images (docs/air-gapped.md).\n',
  );
} else if (!run) {
  say(`usage: local-cluster.ts up [--verbose] | down (got ${command ?? 'nothing'})`);
  process.exitCode = 2;
} else {
  process.exitCode = await run();
}
