import { mkdtempSync } from 'node:fs';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommandRunner } from '../../process/command-runner.js';
import { ExecaCommandRunner } from '../../process/execa-command-runner.js';
import { ManagedProcess, type LineListener } from '../../process/managed-process.js';
import { ProcessRegistry } from '../../process/process-registry.js';
import { freePort } from '../../util/free-port.js';
import { waitFor } from '../../util/wait-for.js';
import { httpsGet } from '../control-plane/https-get.js';
import { k8sToolsDir } from '../k8s-tools.js';
import type { AirgapControlPlane } from '../control-plane/airgap-control-plane.js';
import { nodeConfigFiles, NODE_NETWORK, type NodeConfigPaths } from './node-config.js';
import { BridgeNetwork } from './bridge-network.js';

export interface AirgapNodeOptions {
  /** The API server the node joins (its admin kubeconfig is used by every node component). */
  controlPlane: Pick<AirgapControlPlane, 'kubeconfigPath' | 'server' | 'token' | 'caFile'>;
  /** The bridge the pods attach to (its gateway is the node IP); created before the control plane (BridgeNetwork). */
  network: BridgeNetwork;
  /** kubelet, kube-scheduler, kube-proxy, coredns; default k8sToolsDir(). */
  binDir?: string;
  /** Default a new directory under the OS tmpdir, removed by stop(). */
  workDir?: string;
  /** Docker images to copy into the node's containerd (they must exist in the local Docker daemon). */
  images: readonly string[];
  registry?: ProcessRegistry;
  onLine?: LineListener;
  runner?: CommandRunner;
  /** Per component; default 120 s. */
  readyTimeoutMs?: number;
}

export interface NodeTimings {
  config: number;
  containerd: number;
  images: number;
  kubelet: number;
  rest: number;
  total: number;
}

/**
 * One real Kubernetes node beside a AirgapControlPlane (stage B, docs/air-gapped.md): containerd with runc
 * and the bridge CNI, kubelet, kube-scheduler, kube-proxy (iptables) and CoreDNS, all as host processes.
 * Pods run as real containers on a pod network (NODE_NETWORK) that cannot reach beyond the host: no
 * masquerade, forwarding out of it dropped, every registry redirected to a closed loopback port, cluster
 * DNS answering only cluster names. Needs root, cgroups, iptables and the binaries of build-k8s-tools.sh.
 */
export class AirgapNode {
  readonly nodeName = NODE_NETWORK.nodeName;
  readonly timings: NodeTimings;
  private stopping: Promise<void> | undefined;

  private constructor(
    private readonly state: NodeState,
    timings: NodeTimings,
  ) {
    this.timings = timings;
  }

  /**
   * Takes back what a node of an earlier run left when its process was killed before stop(): processes of
   * the binaries in binDir and their pod containers, the pod network, iptables rules and chains, mounts.
   */
  static async cleanStale(
    runner: CommandRunner = new ExecaCommandRunner(),
    binDir = k8sToolsDir(),
  ): Promise<void> {
    await runner.run('pkill', ['-KILL', '-f', `^${binDir}/`]);
    await runner.run('pkill', ['-KILL', '-f', 'containerd --config /tmp/firedrill-node-']);
    await runner.run('pkill', [
      '-KILL',
      '-f',
      'containerd-shim-runc-v2 -namespace k8s.io -id .* -address /tmp/firedrill-node-',
    ]);
    await undoHostChanges(runner, '/tmp/firedrill-node-');
    await BridgeNetwork.cleanStale(runner);
  }

  static async start(opts: AirgapNodeOptions): Promise<AirgapNode> {
    const ownsWorkDir = opts.workDir === undefined;
    const workDir = opts.workDir ?? mkdtempSync(join(tmpdir(), 'firedrill-node-'));
    await mkdir(workDir, { recursive: true, mode: 0o755 });
    const state: NodeState = {
      workDir,
      ownsWorkDir,
      runner: opts.runner ?? new ExecaCommandRunner(),
      registry: opts.registry ?? new ProcessRegistry({ pidDir: join(workDir, 'pids') }),
      processes: [],
      paths: undefined,
    };
    try {
      const timings = await bringUp(opts, state);
      return new AirgapNode(state, timings);
    } catch (err) {
      await shutDown(state);
      throw err;
    }
  }

  /** Process ids of containerd, kubelet, kube-scheduler, kube-proxy and CoreDNS, for RSS figures. */
  get pids(): Record<string, number> {
    return Object.fromEntries(this.state.processes.map((p) => [p.name, p.pid]));
  }

  /** Removes every pod container, stops the components and unmounts what they mounted. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= shutDown(this.state);
    return this.stopping;
  }
}

interface NodeState {
  workDir: string;
  ownsWorkDir: boolean;
  runner: CommandRunner;
  registry: ProcessRegistry;
  /** In start order; stopped in reverse. */
  processes: ManagedProcess[];
  paths: NodeConfigPaths | undefined;
}

async function must(runner: CommandRunner, cmd: string, args: string[], input?: string): Promise<string> {
  const r = await runner.run(cmd, args, { input, timeoutMs: 300_000 });
  if (r.exitCode !== 0) throw new Error(`${r.command} failed (exit ${r.exitCode}): ${r.stderr.trim()}`);
  return r.stdout;
}

/** Starts one node component in its own process group and tracks it for shutDown. */
async function launch(
  opts: AirgapNodeOptions,
  state: NodeState,
  name: string,
  command: string,
  args: string[],
): Promise<void> {
  const p = await ManagedProcess.start({
    name,
    command,
    args,
    registry: state.registry,
    onLine: opts.onLine,
  });
  state.processes.push(p);
}

async function bringUp(opts: AirgapNodeOptions, state: NodeState): Promise<NodeTimings> {
  const bin = opts.binDir ?? k8sToolsDir();
  const readyTimeoutMs = opts.readyTimeoutMs ?? 120_000;
  const { runner } = state;
  const t0 = Date.now();
  const ports = {
    kubeletHealthz: await freePort(),
    proxyHealthz: await freePort(),
    proxyMetrics: await freePort(),
    schedulerSecure: await freePort(),
    dnsReady: await freePort(),
  };
  const paths = await nodeConfigFiles(state.workDir, opts.controlPlane.kubeconfigPath, ports);
  state.paths = paths;

  const n = NODE_NETWORK;
  const tNet = Date.now();

  await launch(opts, state, 'containerd', 'containerd', ['--config', paths.containerdConfig]);
  await waitFor(
    'containerd to answer on its socket',
    async () => (await runner.run('ctr', ['-a', paths.containerdSocket, 'version'])).exitCode === 0,
    { timeoutMs: readyTimeoutMs, intervalMs: 200 },
  );
  const tContainerd = Date.now();

  // Images under the names the manifests use, from the local Docker daemon: nothing is pulled.
  const saved = join(state.workDir, 'images.tar');
  await must(runner, 'docker', ['save', '--output', saved, ...opts.images]);
  await must(runner, 'ctr', ['-a', paths.containerdSocket, '-n', 'k8s.io', 'images', 'import', saved]);
  await rm(saved, { force: true });
  const tImages = Date.now();

  // prettier-ignore
  await launch(opts, state, 'kubelet', join(bin, 'kubelet'), [
    '--config', paths.kubeletConfig,
    '--kubeconfig', opts.controlPlane.kubeconfigPath,
    '--hostname-override', n.nodeName,
    '--node-ip', opts.network.gateway,
    '--root-dir', paths.kubeletRoot,
    '--cert-dir', join(paths.kubeletRoot, 'pki'),
    // cAdvisor (/metrics/cadvisor) labels containers with their pod and namespace only when it reaches the
    // runtime; it looks at /run/containerd/containerd.sock unless told (that may be Docker's containerd).
    '--containerd', paths.containerdSocket,
    '--v', '1',
  ]);
  const ca = await readFile(opts.controlPlane.caFile, 'utf8');
  await waitFor(
    `node ${n.nodeName} to register and become Ready`,
    async () => {
      const res = await httpsGet(`${opts.controlPlane.server}/api/v1/nodes/${n.nodeName}`, {
        ca,
        token: opts.controlPlane.token,
      });
      if (res.status !== 200) return false;
      const node = JSON.parse(res.body) as {
        status?: { conditions?: Array<{ type: string; status: string }> };
      };
      return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
    },
    { timeoutMs: readyTimeoutMs, intervalMs: 500 },
  );
  const tKubelet = Date.now();

  // prettier-ignore
  await launch(opts, state, 'kube-scheduler', join(bin, 'kube-scheduler'), [
    '--kubeconfig', opts.controlPlane.kubeconfigPath,
    '--authentication-kubeconfig', opts.controlPlane.kubeconfigPath,
    '--authorization-kubeconfig', opts.controlPlane.kubeconfigPath,
    '--bind-address', '127.0.0.1', '--secure-port', String(ports.schedulerSecure),
    '--leader-elect=false',
  ]);
  await launch(opts, state, 'kube-proxy', join(bin, 'kube-proxy'), ['--config', paths.kubeProxyConfig]);
  await launch(opts, state, 'coredns', join(bin, 'coredns'), ['-conf', paths.corefile]);
  await waitFor(
    'kube-scheduler, kube-proxy and CoreDNS to report healthy',
    async () => {
      const sched = await httpsGet(`https://127.0.0.1:${ports.schedulerSecure}/healthz`, { insecure: true });
      const prox = await fetch(`http://127.0.0.1:${ports.proxyHealthz}/healthz`);
      const coredns = await fetch(`http://127.0.0.1:${ports.dnsReady}/ready`);
      return sched.status === 200 && prox.ok && coredns.ok;
    },
    { timeoutMs: readyTimeoutMs, intervalMs: 500 },
  );
  const tEnd = Date.now();
  return {
    config: tNet - t0,
    containerd: tContainerd - tNet,
    images: tImages - tContainerd,
    kubelet: tKubelet - tImages,
    rest: tEnd - tKubelet,
    total: tEnd - t0,
  };
}

async function shutDown(state: NodeState): Promise<void> {
  const { runner, paths } = state;
  const containerdUp = state.processes.some((p) => p.name === 'containerd' && p.running);
  // The kubelet first, so it does not restart what is removed next.
  for (const p of [...state.processes].reverse().filter((x) => x.name !== 'containerd')) await p.stop(10_000);
  if (paths && containerdUp) {
    // Pod sandboxes and containers outlive the kubelet (their shims keep them): remove them through containerd.
    const ctr = (args: string[]) =>
      runner.run('ctr', ['-a', paths.containerdSocket, '-n', 'k8s.io', ...args]);
    const ids = (await ctr(['containers', 'list', '--quiet'])).stdout.split('\n').filter(Boolean);
    for (const id of ids) {
      await ctr(['tasks', 'kill', '--signal', 'SIGKILL', id]);
      await ctr(['tasks', 'delete', '--force', id]);
      await ctr(['containers', 'delete', id]);
    }
  }
  for (const p of state.processes.filter((x) => x.name === 'containerd')) await p.stop(10_000);
  // Mounts anywhere under workDir: kubelet volumes, and the sandboxes' /dev/shm under containerd's state.
  if (paths) await undoHostChanges(runner, state.workDir);
  if (state.ownsWorkDir) await rm(state.workDir, { recursive: true, force: true }).catch(() => undefined);
}

/** Mounts under `prefix` (kubelet volumes), CNI network namespaces, kube-proxy's and the kubelet's chains. */
async function undoHostChanges(runner: CommandRunner, prefix: string): Promise<void> {
  const found = await runner.run('sh', ['-c', `grep -o ' ${prefix}[^ ]*' /proc/self/mounts`]);
  const mounts = found.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .sort((a, b) => b.length - a.length);
  for (const m of mounts) await runner.run('umount', ['-l', m]);
  for (const ns of await readdir('/var/run/netns').catch(() => [] as string[])) {
    if (ns.startsWith('cni-')) await runner.run('ip', ['netns', 'delete', ns]);
  }
  await runner.run(join(k8sToolsDir(), 'kube-proxy'), ['--cleanup']).catch(() => undefined);
  await removeKubeChains(runner);
}

/**
 * The kubelet adds KUBE-* chains of its own (KUBE-FIREWALL, canaries) that kube-proxy --cleanup leaves:
 * delete every jump into a KUBE-* chain from a built-in chain, then flush and delete the KUBE-* chains.
 */
async function removeKubeChains(runner: CommandRunner): Promise<void> {
  for (const bin of ['iptables', 'ip6tables']) {
    for (const table of ['filter', 'nat', 'mangle']) {
      const listed = await runner.run(bin, ['-t', table, '-S']).catch(() => undefined);
      if (!listed || listed.exitCode !== 0) continue;
      const lines = listed.stdout.split('\n');
      for (const l of lines) {
        if (!l.startsWith('-A ') || l.startsWith('-A KUBE-') || !/ -j KUBE-/.test(l)) continue;
        await runner.run('sh', ['-c', `${bin} -t ${table} -D ${l.slice(3)}`]);
      }
      const chains = lines.filter((l) => l.startsWith('-N KUBE-')).map((l) => l.slice(3));
      for (const c of chains) await runner.run(bin, ['-t', table, '-F', c]);
      for (const c of chains) await runner.run(bin, ['-t', table, '-X', c]);
    }
  }
}
