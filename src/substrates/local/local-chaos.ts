import { InvalidInputError } from '../../errors/invalid-input-error.js';
import { containersOf } from '../../kube/containers.js';
import { parseQuantity, type KubeObject } from '../../kube/kube-object.js';
import { podSpecOf } from '../../kube/pod-template.js';
import type { Logger } from '../../logging/logger.js';
import type {
  ChaosApi,
  ChaosExperiment,
  RunningChaos,
  StressExperiment,
  WorkloadRef,
} from '../../platform/chaos-api.js';
import type { ContainerProcess, ContainerRuntime } from './container-runtime.js';
import type { ObjectStore } from './object-store.js';
import { CpuQuota } from './cpu-quota.js';
import { ProxyChaosRules } from './proxy-chaos.js';

/** What the local chaos engine reads from the cluster it runs in. */
export interface LocalChaosDeps {
  store: ObjectStore;
  runtime: ContainerRuntime;
  logger: Logger;
  repoRoot: string;
  /** The loopback address of a running pod (`namespace/name` → ip). */
  podIps(): Map<string, string>;
  /** Whether a pod is running and not terminating. */
  isRunning(namespace: string, name: string): boolean;
  /** The running process of a pod's container, if any (a stressed pod shares its CPU limit with it). */
  containerProcess?(namespace: string, name: string): ContainerProcess | undefined;
  usagePollMs?: number;
}

interface Neighbour {
  proc: ContainerProcess;
  cpuSeconds: number;
  rssBytes: number;
  /** The container's CPU limit enforced over the container and this neighbour together. */
  quota?: CpuQuota;
}

/**
 * The stressors' program: `cores` of busy loop spread over worker threads (each busy its share of every
 * 100 ms) and `bytes` of memory written once so it stays resident, until it is stopped.
 */
const STRESS_SCRIPT = `
const { Worker } = require('node:worker_threads');
const [workers, perWorker, bytes] = process.argv.slice(1).map(Number);
const chunk = 64 * 1024 * 1024;
const held = [];
for (let left = bytes; left > 0; left -= chunk) held.push(Buffer.alloc(Math.min(left, chunk), 1));
const spin = "const { workerData } = require('node:worker_threads');" +
  "const busy = Math.min(100, workerData * 100); const pause = new Int32Array(new SharedArrayBuffer(4));" +
  "for (;;) { const t = Date.now(); while (Date.now() - t < busy) {} if (busy < 100) Atomics.wait(pause, 0, 0, 100 - busy); }";
for (let i = 0; i < workers && perWorker > 0; i++) new Worker(spin, { eval: true, workerData: perWorker });
setInterval(() => held.length, 1 << 30);
`;

/**
 * The local substrate's chaos engine. Network and DNS experiments become rules of the Service proxies
 * (proxy-chaos.ts); a stress experiment starts a neighbour process beside each of the workload's pods,
 * whose CPU and memory the kubelet counts as the container's, as Chaos Mesh runs its stressors in the
 * container's cgroup, and holds the two to the container's CPU limit together (cpu-quota.ts), as the
 * cgroup's quota would. I/O and clock experiments have no local mechanism (the substrate does not provide
 * `io-chaos` or `time-chaos`).
 */
export class LocalChaos implements ChaosApi {
  readonly rules = new ProxyChaosRules();
  private readonly neighbours = new Map<string, Neighbour[]>();
  /** CPU seconds of neighbours already stopped, per pod: the container's counter never goes back. */
  private readonly spentCpu = new Map<string, number>();
  private poller: NodeJS.Timeout | undefined;
  private nextNeighbour = 1;

  constructor(private readonly deps: LocalChaosDeps) {}

  /** The workload (Deployment) of the pod that owns a loopback address, through its owner references. */
  workloadAt(ip: string): WorkloadRef | undefined {
    for (const [key, podIp] of this.deps.podIps()) {
      if (podIp !== ip) continue;
      const [namespace, name] = key.split('/');
      const pod = this.deps.store.get('Pod', namespace, name);
      return pod ? this.deploymentOf(pod) : undefined;
    }
    return undefined;
  }

  private deploymentOf(pod: KubeObject): WorkloadRef | undefined {
    const ns = pod.metadata.namespace ?? 'default';
    const rsName = pod.metadata.ownerReferences?.find((o) => o.kind === 'ReplicaSet')?.name;
    const rs = rsName ? this.deps.store.get('ReplicaSet', ns, rsName) : undefined;
    const deploy = rs?.metadata.ownerReferences?.find((o) => o.kind === 'Deployment')?.name;
    return deploy ? { namespace: ns, name: deploy } : undefined;
  }

  /** Running pods of a Deployment, as the experiment would select them. */
  private podsOf(w: WorkloadRef): KubeObject[] {
    return this.deps.store
      .list('Pod', w.namespace)
      .filter((p) => {
        const d = this.deploymentOf(p);
        return d?.name === w.name && this.deps.isRunning(w.namespace, p.metadata.name);
      })
      .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  }

  private requirePods(w: WorkloadRef, role: string): KubeObject[] {
    if (!this.deps.store.get('Deployment', w.namespace, w.name)) {
      throw new InvalidInputError(`${role} Deployment ${w.namespace}/${w.name} does not exist`);
    }
    const pods = this.podsOf(w);
    if (pods.length === 0) {
      throw new InvalidInputError(`${role} Deployment ${w.namespace}/${w.name} has no running pod to select`);
    }
    return pods;
  }

  async start(x: ChaosExperiment, signal: AbortSignal): Promise<RunningChaos> {
    signal.throwIfAborted();
    switch (x.kind) {
      case 'network': {
        this.requirePods(x.from, 'calling');
        this.requirePods(x.to, 'called');
        const id = this.rules.addNetwork(x);
        return {
          description: `remove the proxy rule ${x.action} ${x.from.name} → ${x.to.name}`,
          stop: async () => {
            this.rules.remove(id);
          },
        };
      }
      case 'dns': {
        this.requirePods(x.from, 'calling');
        const id = this.rules.addDns(x);
        return {
          description: `remove the lookup rule for ${x.names.join(', ')} from ${x.from.name}`,
          stop: async () => {
            this.rules.remove(id);
          },
        };
      }
      case 'stress':
        return this.startStress(x, signal);
      default:
        throw new InvalidInputError(
          `the local substrate has no ${x.kind} chaos (it provides network, DNS and stress chaos); run this fault on a Kubernetes substrate`,
        );
    }
  }

  private async startStress(x: StressExperiment, signal: AbortSignal): Promise<RunningChaos> {
    const pods = this.requirePods(x.workload, 'stressed');
    const started: Array<{ key: string; n: Neighbour }> = [];
    const stopAll = async (): Promise<void> => {
      await Promise.all(started.map(({ key, n }) => this.stopNeighbour(key, n)));
    };
    try {
      for (const pod of pods) {
        signal.throwIfAborted();
        const key = `${x.workload.namespace}/${pod.metadata.name}`;
        // The stressors share the container's cgroup in a cluster, so its CPU limit caps them too: through
        // the shared quota below when the container's process is known (the stressors then want what they
        // were asked for, as stress-ng does, and the quota holds them), else by asking for no more.
        const limit = parseQuantity(containersOf(podSpecOf(pod))[0]?.resources?.limits?.cpu);
        const workers = x.cpu?.workers ?? 0;
        const wanted = (workers * (x.cpu?.load ?? 0)) / 100;
        const containerOf = this.deps.containerProcess?.bind(this.deps);
        const shared = workers > 0 && limit !== undefined && containerOf !== undefined;
        const cores = limit !== undefined && !shared ? Math.min(wanted, limit) : wanted;
        const perWorker = workers > 0 ? cores / workers : 0;
        const proc = await this.deps.runtime.start({
          id: `${key}/stress-${this.nextNeighbour++}`,
          command: process.execPath,
          args: ['-e', STRESS_SCRIPT, String(workers), String(perWorker), String(x.memory?.sizeBytes ?? 0)],
          env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
          cwd: this.deps.repoRoot,
          onLine: (stream, line) => this.deps.logger.debug({ pod: key, stream }, line),
        });
        const n: Neighbour = { proc, cpuSeconds: 0, rssBytes: 0 };
        // A cluster's kernel throttles the container's cgroup, stressors included, at its CPU limit; the
        // local substrate enforces no limits, so the two share one quota here while the experiment runs.
        if (shared) {
          const podName = pod.metadata.name;
          n.quota = new CpuQuota({
            cores: limit,
            members: () => [proc, containerOf(x.workload.namespace, podName)].filter((m) => m !== undefined),
          });
          n.quota.start();
        }
        started.push({ key, n });
        this.neighbours.set(key, [...(this.neighbours.get(key) ?? []), n]);
      }
    } catch (err) {
      await stopAll();
      throw err;
    }
    this.startPolling();
    await this.poll();
    return {
      description: `stop the stressors beside ${pods.map((p) => p.metadata.name).join(', ')}`,
      stop: stopAll,
    };
  }

  private async stopNeighbour(key: string, n: Neighbour): Promise<void> {
    await n.quota?.stop();
    await n.proc.stop(1000);
    const rest = (this.neighbours.get(key) ?? []).filter((m) => m !== n);
    if (rest.length > 0) this.neighbours.set(key, rest);
    else this.neighbours.delete(key);
    this.spentCpu.set(key, (this.spentCpu.get(key) ?? 0) + n.cpuSeconds);
  }

  private startPolling(): void {
    if (this.poller) return;
    this.poller = setInterval(() => void this.poll(), this.deps.usagePollMs ?? 1000);
    this.poller.unref();
  }

  private async poll(): Promise<void> {
    for (const list of this.neighbours.values()) {
      for (const n of list) {
        try {
          n.cpuSeconds = Math.max(n.cpuSeconds, await n.proc.cpuSeconds());
          n.rssBytes = await n.proc.rssBytes();
        } catch {
          // exited between listing and reading
        }
      }
    }
  }

  /**
   * What the neighbours add to a pod's container: their resident memory while they run, and every CPU
   * second they used since the pod started (a container's CPU counter only grows).
   */
  extraUsage(namespace: string, pod: string): { rssBytes: number; cpuSeconds: number } | undefined {
    const key = `${namespace}/${pod}`;
    const live = this.neighbours.get(key) ?? [];
    const spent = this.spentCpu.get(key);
    if (live.length === 0 && spent === undefined) return undefined;
    return {
      rssBytes: live.reduce((s, n) => s + n.rssBytes, 0),
      cpuSeconds: (spent ?? 0) + live.reduce((s, n) => s + n.cpuSeconds, 0),
    };
  }

  /** A pod that is gone takes its neighbours' history with it. */
  forgetPod(namespace: string, pod: string): void {
    this.spentCpu.delete(`${namespace}/${pod}`);
  }

  /** Takes back every rule and stressor. */
  async clear(): Promise<void> {
    this.rules.clear();
    const all = [...this.neighbours.entries()].flatMap(([key, list]) => list.map((n) => ({ key, n })));
    await Promise.all(all.map(({ key, n }) => this.stopNeighbour(key, n)));
  }

  async stop(): Promise<void> {
    if (this.poller) clearInterval(this.poller);
    this.poller = undefined;
    this.rules.clear();
    const all = [...this.neighbours.entries()].flatMap(([key, list]) => list.map((n) => ({ key, n })));
    await Promise.all(all.map(({ key, n }) => this.stopNeighbour(key, n)));
  }
}
