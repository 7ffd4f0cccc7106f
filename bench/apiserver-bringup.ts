// Bring-up time and memory of the local control plane (etcd + kube-apiserver + kube-controller-manager
// from `make k8s-tools`): time to ready per component, RSS of each once the shop and observability
// manifests are applied and the controllers have settled, and time to stop.
// Run: npx tsx bench/apiserver-bringup.ts [rounds]
import { KubeConfig } from '@kubernetes/client-node';
import { HttpClusterApi } from '../src/kube/http-cluster-api.js';
import { KubeConfigTransport } from '../src/kube/kubeconfig-transport.js';
import { deploymentObjects } from '../src/substrates/kubernetes/deploy-objects.js';
import type { KubeObject } from '../src/kube/kube-object.js';
import { AirgapControlPlane } from '../src/airgap/control-plane/airgap-control-plane.js';
import { processRssBytes } from '../src/airgap/process-rss.js';

const rounds = Number(process.argv[2] ?? 2);
const mib = (b: number | undefined): string => (b === undefined ? '?' : (b / 2 ** 20).toFixed(0));

for (let i = 1; i <= rounds; i++) {
  const cp = await AirgapControlPlane.start();
  const t = cp.timings;
  const idle = Object.fromEntries(Object.entries(cp.pids).map(([n, pid]) => [n, processRssBytes(pid)]));

  const kc = new KubeConfig();
  kc.loadFromFile(cp.kubeconfigPath);
  const api = new HttpClusterApi(new KubeConfigTransport(kc));
  const objects = (await deploymentObjects()) as unknown as KubeObject[];
  const a0 = performance.now();
  for (const o of objects) await api.apply(o);
  const applyMs = performance.now() - a0;
  // Let the deployment and ReplicaSet controllers create their objects before measuring.
  await new Promise((r) => setTimeout(r, 15_000));
  const loaded = Object.fromEntries(Object.entries(cp.pids).map(([n, pid]) => [n, processRssBytes(pid)]));

  const s0 = performance.now();
  await cp.stop();
  const stopMs = performance.now() - s0;

  const total = (m: Record<string, number | undefined>): number =>
    Object.values(m).reduce<number>((a, b) => a + (b ?? 0), 0);
  console.log(
    `round ${i}: ready in ${(t.total / 1000).toFixed(1)} s (pki ${t.pki} ms, etcd ${t.etcd} ms, ` +
      `kube-apiserver ${t.apiserver} ms, controllers ${t.controllerManager} ms); ` +
      `${objects.length} objects applied in ${applyMs.toFixed(0)} ms; stop ${stopMs.toFixed(0)} ms`,
  );
  console.log(
    `  RSS MiB idle:   ${Object.entries(idle)
      .map(([n, b]) => `${n} ${mib(b)}`)
      .join(', ')}; total ${mib(total(idle))}`,
  );
  console.log(
    `  RSS MiB loaded: ${Object.entries(loaded)
      .map(([n, b]) => `${n} ${mib(b)}`)
      .join(', ')}; total ${mib(total(loaded))}`,
  );
}
