import { createHash, randomUUID } from 'node:crypto';
import { readFileSync, statfsSync } from 'node:fs';
import { arch, availableParallelism, release, totalmem } from 'node:os';
import type { Node } from '../../kube/typed-objects.js';
import { loadVersions } from '../../versions/versions.js';
import { kubeTime } from '../../kube/kube-time.js';

/**
 * The one node of the local cluster. A worker's name, as on any cluster with numbered nodes: pods, events
 * and metrics name it, and `localhost` would tell an agent that no cluster is there.
 */
export const NODE_NAME = 'worker-1';

/** Where the node says it runs: a zone and an instance type sized like this machine. */
const ZONE = 'europe-west1-b';

/** What the kubelet reads from the machine it runs on. */
export interface MachineFacts {
  cpus: number;
  memoryBytes: number;
  storageBytes: number;
  /** Node.js' name of the architecture (x64, arm64...). */
  arch: string;
  kernel: string;
  osImage: string;
  kubeletVersion: string;
}

export function machineFacts(): MachineFacts {
  let storageBytes = 100 * 1024 ** 3;
  try {
    const fs = statfsSync('/');
    storageBytes = fs.blocks * fs.bsize;
  } catch {
    // keep the default: a node always reports some ephemeral storage
  }
  let osImage = 'Debian GNU/Linux 12 (bookworm)';
  try {
    const m = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(readFileSync('/etc/os-release', 'utf8'));
    if (m?.[1]) osImage = m[1];
  } catch {
    // not every machine has /etc/os-release
  }
  return {
    cpus: availableParallelism(),
    memoryBytes: totalmem(),
    storageBytes,
    arch: arch(),
    kernel: nodeKernel(release(), osImage, goArch(arch())),
    osImage,
    kubeletVersion: loadVersions().tools.kubernetes,
  };
}

/** The cloud kernel each distribution ships its node images with, by PRETTY_NAME. */
const DISTRO_KERNELS: ReadonlyArray<{ os: RegExp; kernel: (goarch: string) => string }> = [
  { os: /^Debian GNU\/Linux 12\b/, kernel: (a) => `6.1.0-28-cloud-${a}` },
  { os: /^Debian GNU\/Linux 13\b/, kernel: (a) => `6.12.41+deb13-cloud-${a}` },
];

/**
 * The kernel the node reports: this machine's when it is a distribution's own, otherwise (a sandbox's or a
 * micro-VM's kernel, `6.18.44-fc-v1272`, which no node image runs) the one its OS image ships, so the node
 * does not pair a Debian image with a kernel Debian never built.
 */
export function nodeKernel(kernel: string, osImage: string, goarch: string): string {
  if (/^\d+\.\d+\.\d+-\d+(-cloud)?-(amd64|arm64)$|-generic$|-(gcp|aws|azure)$/.test(kernel)) return kernel;
  return DISTRO_KERNELS.find((d) => d.os.test(osImage))?.kernel(goarch) ?? kernel;
}

/** GOARCH for Node.js' architecture name: the value of kubernetes.io/arch. */
export function goArch(nodeArch: string): string {
  const map: Record<string, string> = { x64: 'amd64', ia32: '386', arm: 'arm', arm64: 'arm64' };
  return map[nodeArch] ?? nodeArch;
}

/** GiB of memory per core of the E2 predefined families. */
const E2_FAMILIES: ReadonlyArray<{ family: string; gibPerCore: number }> = [
  { family: 'highcpu', gibPerCore: 1 },
  { family: 'standard', gibPerCore: 4 },
  { family: 'highmem', gibPerCore: 8 },
];

/**
 * The instance type a cloud node pool with this machine's shape would be labelled with: a predefined E2
 * type when the cores are one of its sizes and the memory within 10 % of the family's, otherwise the custom
 * type GCE names by cores and MiB (`e2-custom-2-24576`, memory in whole 256 MiB), so the label never claims
 * a shape the node's capacity contradicts.
 */
export function instanceType(cpus: number, memoryBytes: number): string {
  const gib = memoryBytes / 1024 ** 3;
  if ([2, 4, 8, 16, 32].includes(cpus))
    for (const f of E2_FAMILIES)
      if (Math.abs(gib - f.gibPerCore * cpus) <= 0.1 * f.gibPerCore * cpus) return `e2-${f.family}-${cpus}`;
  const mib = Math.max(256, Math.round(memoryBytes / 1024 ** 2 / 256) * 256);
  return `e2-custom-${Math.max(2, cpus)}-${mib}`;
}

const ki = (bytes: number): string => `${Math.floor(bytes / 1024)}Ki`;

/**
 * The Node object as its kubelet registers and keeps it: the kubelet's own labels, capacity from the
 * machine, allocatable less the default hard-eviction thresholds (memory.available 100Mi,
 * nodefs.available 10%), nodeInfo and the four conditions of a healthy node.
 */
export function nodeObject(facts: MachineFacts, nowMs: number, name = NODE_NAME): Node {
  const now = kubeTime(nowMs);
  const goarch = goArch(facts.arch);
  // Stable per machine and node name, as /etc/machine-id is; never the machine's own id.
  const machineId = createHash('sha256')
    .update(`${name}/${facts.kernel}/${facts.cpus}`)
    .digest('hex')
    .slice(0, 32);
  const condition = (type: string, status: string, reason: string, message: string) => ({
    type,
    status,
    reason,
    message,
    lastHeartbeatTime: now,
    lastTransitionTime: now,
  });
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: {
        'beta.kubernetes.io/arch': goarch,
        'beta.kubernetes.io/os': 'linux',
        'kubernetes.io/arch': goarch,
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'node.kubernetes.io/instance-type': instanceType(facts.cpus, facts.memoryBytes),
        'topology.kubernetes.io/region': ZONE.replace(/-[a-z]$/, ''),
        'topology.kubernetes.io/zone': ZONE,
      },
      annotations: {
        'node.alpha.kubernetes.io/ttl': '0',
        'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
      },
    },
    spec: {},
    status: {
      capacity: {
        cpu: String(facts.cpus),
        'ephemeral-storage': ki(facts.storageBytes),
        'hugepages-1Gi': '0',
        'hugepages-2Mi': '0',
        memory: ki(facts.memoryBytes),
        pods: '110',
      },
      allocatable: {
        cpu: String(facts.cpus),
        'ephemeral-storage': String(Math.floor(facts.storageBytes * 0.9)),
        'hugepages-1Gi': '0',
        'hugepages-2Mi': '0',
        memory: ki(facts.memoryBytes - 100 * 1024 ** 2),
        pods: '110',
      },
      conditions: [
        condition(
          'MemoryPressure',
          'False',
          'KubeletHasSufficientMemory',
          'kubelet has sufficient memory available',
        ),
        condition('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
        condition('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
        condition('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
      ],
      addresses: [
        { type: 'InternalIP', address: '127.0.0.1' },
        { type: 'Hostname', address: name },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        machineID: machineId,
        systemUUID: randomUUID(),
        bootID: randomUUID(),
        kernelVersion: facts.kernel,
        osImage: facts.osImage,
        containerRuntimeVersion: 'containerd://2.1.4',
        kubeletVersion: facts.kubeletVersion,
        kubeProxyVersion: '',
        operatingSystem: 'linux',
        architecture: goarch,
      },
    },
  };
}
