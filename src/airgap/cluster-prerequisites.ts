import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { K8S_TOOLS_INSTALL, k8sToolsDir, missingK8sTools } from './k8s-tools.js';
import { dockerImagesUnavailable } from './docker-images.js';

/** Binaries a node needs beside the control plane's (scripts/build-k8s-tools.sh builds them). */
export const NODE_TOOLS = ['kubelet', 'kube-scheduler', 'kube-proxy', 'coredns'] as const;

const HOST_TOOLS = ['containerd', 'ctr', 'runc', 'iptables', 'ip', 'docker'] as const;
const HOST_PACKAGES =
  'apt-get install docker.io containerd runc containernetworking-plugins iptables conntrack';

/**
 * Why a AirgapCluster cannot start on this machine, naming what is missing and how to get it; undefined
 * when everything is there. Shared by the cluster suites' skip messages and scripts/local-cluster.ts.
 */
export function clusterUnavailable(images: readonly string[], binDir = k8sToolsDir()): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (kubelet, containerd, iptables)';
  const missing = [...missingK8sTools(binDir), ...NODE_TOOLS.filter((t) => !existsSync(join(binDir, t)))];
  if (missing.length > 0)
    return `binaries missing in ${binDir}: ${missing.join(', ')}; run ${K8S_TOOLS_INSTALL} and make node-tools`;
  for (const tool of HOST_TOOLS) {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'pipe' });
    } catch {
      return `${tool} is not installed (${HOST_PACKAGES})`;
    }
  }
  if (!existsSync('/usr/lib/cni/bridge')) return `CNI plugins missing (${HOST_PACKAGES})`;
  return dockerImagesUnavailable(images);
}
