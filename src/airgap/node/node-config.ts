import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The node's pod network: one bridge, one /24, its first address the gateway (and the node's IP). */
export const NODE_NETWORK = {
  nodeName: 'node-1',
  bridge: 'fdpods0',
  cidr: '10.88.0.0/24',
  gateway: '10.88.0.1',
  prefix: 24,
} as const;

/**
 * Where image pulls go: a loopback port nothing listens on. A pull of an image that is not in the node's
 * store fails at once (as on a cluster that cannot reach its registry) and nothing leaves the machine.
 */
export const CLOSED_REGISTRY = 'http://127.0.0.1:9';
/** Every registry the manifests' images name. */
export const REGISTRY_HOSTS = ['docker.io', 'registry.k8s.io', 'quay.io', 'ghcr.io'] as const;
export const PAUSE_IMAGE = 'registry.k8s.io/pause:3.10.1';

export interface NodeConfigPaths {
  containerdConfig: string;
  containerdSocket: string;
  kubeletConfig: string;
  kubeletRoot: string;
  kubeProxyConfig: string;
  corefile: string;
}

export interface NodePorts {
  kubeletHealthz: number;
  proxyHealthz: number;
  proxyMetrics: number;
  schedulerSecure: number;
  dnsReady: number;
}

export function containerdToml(dir: string): string {
  return `version = 2
root = "${dir}/containerd/root"
state = "${dir}/containerd/state"
[grpc]
  address = "${dir}/containerd/containerd.sock"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "${PAUSE_IMAGE}"
  # Root here lacks CAP_SYS_RESOURCE: a negative oom_score_adj (the sandbox's -998, Guaranteed pods' -997)
  # fails runc with "can't get final child's PID from pipe". Clamped to containerd's own score instead.
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "${dir}/cni"
  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = "${dir}/containerd/certs.d"
`;
}

/** hosts.toml: the registry's only server is CLOSED_REGISTRY (with `server` set, containerd never falls back upstream). */
export function hostsToml(): string {
  return `server = "${CLOSED_REGISTRY}"\n\n[host."${CLOSED_REGISTRY}"]\n  capabilities = ["pull", "resolve"]\n`;
}

export function cniConflist(): string {
  const n = NODE_NETWORK;
  return `${JSON.stringify(
    {
      cniVersion: '1.0.0',
      name: 'pods',
      plugins: [
        {
          type: 'bridge',
          bridge: n.bridge,
          isGateway: true,
          // No masquerade: pod traffic keeps its pod address and cannot leave the host (FORWARD drops it).
          ipMasq: false,
          hairpinMode: true,
          ipam: { type: 'host-local', ranges: [[{ subnet: n.cidr }]], routes: [{ dst: '0.0.0.0/0' }] },
        },
        { type: 'portmap', capabilities: { portMappings: true } },
      ],
    },
    null,
    2,
  )}\n`;
}

export function kubeletYaml(dir: string, ports: NodePorts): string {
  const n = NODE_NETWORK;
  return `apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
# cgroup v1 here: kubelet 1.34 still runs on it when told not to fail.
cgroupDriver: cgroupfs
failCgroupV1: false
containerRuntimeEndpoint: unix://${dir}/containerd/containerd.sock
address: ${n.gateway}
port: 10250
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: ${ports.kubeletHealthz}
# A throwaway single-user node: the API server reaches logs without client certificates.
authentication:
  anonymous: { enabled: true }
  webhook: { enabled: false }
authorization:
  mode: AlwaysAllow
clusterDomain: cluster.local
clusterDNS: [${n.gateway}]
resolvConf: ${dir}/resolv.conf
failSwapOn: false
serializeImagePulls: false
evictionHard: { memory.available: "100Mi", nodefs.available: "1%", imagefs.available: "1%", nodefs.inodesFree: "1%" }
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
localStorageCapacityIsolation: false
podPidsLimit: -1
`;
}

export function kubeProxyYaml(kubeconfig: string, ports: NodePorts): string {
  return `apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: iptables
clusterCIDR: ${NODE_NETWORK.cidr}
hostnameOverride: ${NODE_NETWORK.nodeName}
bindAddress: 127.0.0.1
healthzBindAddress: 127.0.0.1:${ports.proxyHealthz}
metricsBindAddress: 127.0.0.1:${ports.proxyMetrics}
clientConnection:
  kubeconfig: ${kubeconfig}
conntrack:
  maxPerCore: 0
`;
}

/** Cluster names only: no `forward`, so no lookup ever reaches the host's resolver. */
export function corefile(kubeconfig: string, ports: NodePorts): string {
  return `.:53 {
    bind ${NODE_NETWORK.gateway}
    errors
    ready 127.0.0.1:${ports.dnsReady}
    kubernetes cluster.local in-addr.arpa ip6.arpa {
        kubeconfig ${kubeconfig}
        pods insecure
        fallthrough in-addr.arpa ip6.arpa
        ttl 5
    }
    cache 5
}
`;
}

/** Writes every component's configuration under `dir` and returns where. */
export async function nodeConfigFiles(
  dir: string,
  kubeconfig: string,
  ports: NodePorts,
): Promise<NodeConfigPaths> {
  for (const d of ['containerd/root', 'containerd/state', 'cni', 'kubelet'])
    await mkdir(join(dir, d), { recursive: true });
  for (const host of REGISTRY_HOSTS) {
    await mkdir(join(dir, 'containerd/certs.d', host), { recursive: true });
    await writeFile(join(dir, 'containerd/certs.d', host, 'hosts.toml'), hostsToml());
  }
  const paths: NodeConfigPaths = {
    containerdConfig: join(dir, 'containerd/config.toml'),
    containerdSocket: join(dir, 'containerd/containerd.sock'),
    kubeletConfig: join(dir, 'kubelet.yaml'),
    kubeletRoot: join(dir, 'kubelet'),
    kubeProxyConfig: join(dir, 'kube-proxy.yaml'),
    corefile: join(dir, 'Corefile'),
  };
  await writeFile(paths.containerdConfig, containerdToml(dir));
  await writeFile(join(dir, 'cni', '10-pods.conflist'), cniConflist());
  await writeFile(paths.kubeletConfig, kubeletYaml(dir, ports));
  await writeFile(
    join(dir, 'resolv.conf'),
    `nameserver ${NODE_NETWORK.gateway}\nsearch cluster.local\noptions ndots:5\n`,
  );
  await writeFile(paths.kubeProxyConfig, kubeProxyYaml(kubeconfig, ports));
  await writeFile(paths.corefile, corefile(kubeconfig, ports));
  return paths;
}
