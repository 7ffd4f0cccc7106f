// Bring-up time and memory of the air-gapped one-node cluster (stage B, docs/air-gapped.md): each phase of
// AirgapCluster.start, then the observability stack and the shop applied and every Deployment ready, the RSS
// of every cluster component and the memory of all pods (the kubepods cgroup), and the time to stop.
// Needs root, `make node-tools` and `sudo make local-images`.
// Run: node --import tsx bench/cluster-bringup.ts [rounds]
import { readFileSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { HttpClusterApi } from '../src/kube/http-cluster-api.js';
import type { KubeObject } from '../src/kube/kube-object.js';
import { KubeConfigTransport } from '../src/kube/kubeconfig-transport.js';
import { deploymentObjects } from '../src/substrates/kubernetes/deploy-objects.js';
import { waitDeploymentsReady } from '../src/substrates/wait-healthy.js';
import { processRssBytes } from '../src/airgap/process-rss.js';
import { clusterUnavailable } from '../src/airgap/cluster-prerequisites.js';
import { clusterImages, AirgapCluster } from '../src/airgap/airgap-cluster.js';

const rounds = Number(process.argv[2] ?? 1);
const images = clusterImages();
const why = clusterUnavailable(images);
if (why) {
  console.error(`cluster-bringup: cannot run: ${why}`);
  process.exit(4);
}
const s = (ms: number): string => (ms / 1000).toFixed(1);
const mib = (b: number | undefined): string => (b === undefined ? '?' : (b / 2 ** 20).toFixed(0));

/** Memory charged to all pods, from the cgroup v1 hierarchy the kubelet's cgroupfs driver makes. */
function podsMemoryBytes(): number | undefined {
  try {
    return Number(readFileSync('/sys/fs/cgroup/memory/kubepods/memory.usage_in_bytes', 'utf8').trim());
  } catch {
    return undefined;
  }
}

for (let i = 1; i <= rounds; i++) {
  await AirgapCluster.cleanStale();
  const cluster = await AirgapCluster.start({ images });
  const t = cluster.timings;
  const n = cluster.node.timings;
  const kc = new KubeConfig();
  kc.loadFromFile(cluster.kubeconfigPath);
  const api = new HttpClusterApi(new KubeConfigTransport(kc));
  const objects = (await deploymentObjects()) as unknown as KubeObject[];
  const a0 = performance.now();
  for (const o of objects) await api.apply(o);
  await waitDeploymentsReady(api, ['observability', 'shop', 'firedrill-system'], 600_000);
  const readyMs = performance.now() - a0;
  // Under load for a minute, as during a run, before reading memory.
  await new Promise((r) => setTimeout(r, 60_000));
  const pids = { ...cluster.controlPlane.pids, ...cluster.node.pids };
  const rss = Object.entries(pids).map(([name, pid]) => [name, processRssBytes(pid)] as const);
  const components = rss.reduce((a, [, b]) => a + (b ?? 0), 0);
  const pods = podsMemoryBytes();
  const s0 = performance.now();
  await cluster.stop();
  const stopMs = performance.now() - s0;

  console.log(
    `round ${i}: cluster up in ${s(t.total)} s (network ${t.network} ms, control plane ${s(t.controlPlane)} s, ` +
      `node ${s(t.node)} s: containerd ${s(n.containerd)} s, ${images.length} images imported ${s(n.images)} s, ` +
      `kubelet registered ${s(n.kubelet)} s, scheduler/proxy/DNS ${s(n.rest)} s)`,
  );
  console.log(
    `  ${objects.length} objects applied, every Deployment ready in ${s(readyMs)} s; stop ${s(stopMs)} s`,
  );
  console.log(
    `  RSS MiB: ${rss.map(([name, b]) => `${name} ${mib(b)}`).join(', ')}; components ${mib(components)}`,
  );
  console.log(
    `  pods (kubepods cgroup) ${mib(pods)} MiB; cluster + pods ${mib(components + (pods ?? 0))} MiB`,
  );
}
