import { readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProcessRegistry } from '../process/process-registry.js';
import type { LineListener } from '../process/managed-process.js';
import { imageReference, loadVersions } from '../versions/versions.js';
import { AirgapControlPlane } from './control-plane/airgap-control-plane.js';
import { PAUSE_IMAGE } from './node/node-config.js';
import { AirgapNode } from './node/airgap-node.js';
import { BridgeNetwork } from './node/bridge-network.js';

export interface AirgapClusterOptions {
  /** Docker images to copy into the node's containerd (they must exist in the local Docker daemon). */
  images: readonly string[];
  /** etcd, the control plane and node binaries; default k8sToolsDir(). */
  binDir?: string;
  registry?: ProcessRegistry;
  onLine?: LineListener;
  /** Per component; default 120 s. */
  readyTimeoutMs?: number;
}

/**
 * Every image the manifests deploy (versions.json, less the shop's base and kind's node image) and the pod
 * sandbox: what a node must hold when nothing can be pulled (scripts/make-local-images.sh makes them).
 */
export function clusterImages(): string[] {
  const { images } = loadVersions();
  const deployed = [
    images.shop,
    images.redis,
    images.postgres,
    images.prometheus,
    images.alertmanager,
    images.kubeStateMetrics,
    images.jaeger,
  ];
  return [...deployed.map(imageReference), PAUSE_IMAGE];
}

export interface ClusterTimings {
  network: number;
  controlPlane: number;
  node: number;
  total: number;
}

/**
 * A one-node Kubernetes cluster on this host, every part real (stage B, docs/air-gapped.md): the pod
 * network first, then etcd + kube-apiserver + kube-controller-manager listening on the network's gateway
 * (so pods reach the API server through the `kubernetes` Service), then the node (containerd, kubelet,
 * scheduler, kube-proxy, CoreDNS). Stopped in reverse order. Needs root.
 */
export class AirgapCluster {
  private stopping: Promise<void> | undefined;

  private constructor(
    readonly network: BridgeNetwork,
    readonly controlPlane: AirgapControlPlane,
    readonly node: AirgapNode,
    readonly timings: ClusterTimings,
  ) {}

  /** Admin kubeconfig of the cluster (one context, a system:masters token, the CA embedded). */
  get kubeconfigPath(): string {
    return this.controlPlane.kubeconfigPath;
  }

  /**
   * Takes back what a cluster of an earlier run left when its process was killed before stop(): its
   * processes, pods, mounts and host network changes, then the work directories (certificates, etcd data,
   * the node's state), once nothing uses them.
   */
  static async cleanStale(binDir?: string): Promise<void> {
    await AirgapNode.cleanStale(undefined, binDir);
    for (const entry of await readdir(tmpdir()).catch(() => [] as string[])) {
      if (/^firedrill-(node|apiserver)-/.test(entry)) {
        await rm(join(tmpdir(), entry), { recursive: true, force: true }).catch(() => undefined);
      }
    }
  }

  static async start(opts: AirgapClusterOptions): Promise<AirgapCluster> {
    const t0 = Date.now();
    const network = await BridgeNetwork.create();
    const tNet = Date.now();
    let controlPlane: AirgapControlPlane | undefined;
    try {
      controlPlane = await AirgapControlPlane.start({
        binDir: opts.binDir,
        registry: opts.registry,
        onLine: opts.onLine,
        readyTimeoutMs: opts.readyTimeoutMs,
        bindAddress: network.gateway,
      });
      const tCp = Date.now();
      const node = await AirgapNode.start({
        controlPlane,
        network,
        images: opts.images,
        binDir: opts.binDir,
        registry: opts.registry,
        onLine: opts.onLine,
        readyTimeoutMs: opts.readyTimeoutMs,
      });
      const tEnd = Date.now();
      return new AirgapCluster(network, controlPlane, node, {
        network: tNet - t0,
        controlPlane: tCp - tNet,
        node: tEnd - tCp,
        total: tEnd - t0,
      });
    } catch (err) {
      await controlPlane?.stop().catch(() => undefined);
      await network.remove();
      throw err;
    }
  }

  /** Stops the node (removing its pods), the control plane, then the network. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      await this.node.stop().catch(() => undefined);
      await this.controlPlane.stop().catch(() => undefined);
      await this.network.remove();
    })();
    return this.stopping;
  }
}
