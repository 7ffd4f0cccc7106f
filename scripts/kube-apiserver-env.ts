// Starts a throwaway Kubernetes control plane on loopback (etcd, kube-apiserver, kube-controller-manager
// built by `make k8s-tools`) and keeps it up until Ctrl-C, then stops every process and removes its files.
// For trying firedrill's Kubernetes code paths by hand on a machine without kind or a registry.
//
//   npx tsx scripts/kube-apiserver-env.ts [--keep] [--no-controller-manager] [--verbose]
//     --keep                    keep the work directory (certificates, kubeconfig, etcd data) after stopping
//     --no-controller-manager   API server and etcd only (no ReplicaSets, Pods, garbage collection)
//     --verbose                 print the components' own log lines
//
// It prints `export KUBECONFIG=...`; in another shell: kubectl get ns, or firedrill with --substrate
// kubeconfig (pods stay Pending: there is no scheduler, kubelet or container runtime; see docs/air-gapped.md).
import { ProcessRegistry } from '../src/process/process-registry.js';
import { k8sToolsDir } from '../src/airgap/k8s-tools.js';
import { AirgapControlPlane } from '../src/airgap/control-plane/airgap-control-plane.js';
import { processRssBytes } from '../src/airgap/process-rss.js';
import { errorText } from '../src/util/error-text.js';

const args = new Set(process.argv.slice(2));
for (const a of args) {
  if (!['--keep', '--no-controller-manager', '--verbose', '--help', '-h'].includes(a)) {
    process.stderr.write(`kube-apiserver-env: unknown argument ${a} (try --help)\n`);
    process.exit(2);
  }
}
if (args.has('--help') || args.has('-h')) {
  process.stdout.write(
    'Usage: npx tsx scripts/kube-apiserver-env.ts [--keep] [--no-controller-manager] [--verbose]\n' +
      `Runs etcd, kube-apiserver and kube-controller-manager from ${k8sToolsDir()} until Ctrl-C.\n`,
  );
  process.exit(0);
}

// Ctrl-C is handled here, not by the registry: stop in order, then exit.
const registry = new ProcessRegistry({ killOnSignal: false });
let cp: AirgapControlPlane;
try {
  cp = await AirgapControlPlane.start({
    registry,
    keepWorkDir: args.has('--keep'),
    controllerManager: !args.has('--no-controller-manager'),
    onLine: args.has('--verbose') ? (l) => process.stderr.write(`[${l.source}] ${l.line}\n`) : undefined,
  });
} catch (err) {
  process.stderr.write(`kube-apiserver-env: ${errorText(err)}\n`);
  process.exit(
    typeof (err as { exitCode?: unknown }).exitCode === 'number' ? (err as { exitCode: number }).exitCode : 1,
  );
}

const mib = (b: number | undefined): string => (b === undefined ? '?' : `${(b / 2 ** 20).toFixed(0)} MiB`);
const t = cp.timings;
process.stdout.write(
  [
    `export KUBECONFIG=${cp.kubeconfigPath}`,
    `# server ${cp.server}  token ${cp.token}`,
    `# up in ${(t.total / 1000).toFixed(1)} s (certificates ${t.pki} ms, etcd ${t.etcd} ms, kube-apiserver ${t.apiserver} ms, controllers ${t.controllerManager} ms)`,
    `# work directory ${cp.workDir}${args.has('--keep') ? ' (kept after stop)' : ''}`,
    '# Ctrl-C stops everything',
    '',
  ].join('\n'),
);
const report = setInterval(() => {
  const rss = Object.entries(cp.pids).map(([name, pid]) => `${name} ${mib(processRssBytes(pid))}`);
  process.stderr.write(`# RSS: ${rss.join(', ')}\n`);
}, 60_000);

let stopping = false;
const stop = (): void => {
  if (stopping) return;
  stopping = true;
  clearInterval(report);
  process.stderr.write('kube-apiserver-env: stopping\n');
  cp.stop().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`kube-apiserver-env: ${errorText(err)}\n`);
      process.exit(1);
    },
  );
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
