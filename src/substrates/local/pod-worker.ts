import { createHash, randomBytes } from 'node:crypto';
import { chmod, mkdir, writeFile, rename, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { tmpdir } from 'node:os';
import type { Logger } from '../../logging/logger.js';
import type { Clock } from '../../util/clock.js';
import { containersOf } from '../../kube/containers.js';
import {
  parseQuantity,
  type Container,
  type KubeObject,
  type PodSpec,
  type Probe,
} from '../../kube/kube-object.js';
import { podSpecOf } from '../../kube/pod-template.js';
import { parseImageRef } from '../../versions/image-ref.js';
import type { ContainerExit, ContainerProcess, ContainerRuntime } from './container-runtime.js';
import { expandVars } from '../../manifests/resolve-env.js';
import { ConfigRefError, resolveEnv, volumeFiles } from './env-resolver.js';
import type { EventRecorder } from './event-recorder.js';
import { DNS_SHIM, imageCommand } from './image-commands.js';
import type { LogStore } from './log-store.js';
import type { ObjectStore } from './object-store.js';
import type { Prober } from './prober.js';
import { kubeTime } from '../../kube/kube-time.js';
import type { ContainerPaths } from './container-paths.js';

export interface KubeletDeps {
  store: ObjectStore;
  events: EventRecorder;
  runtime: ContainerRuntime;
  logs: LogStore;
  clock: Clock;
  logger: Logger;
  prober: Prober;
  repoRoot: string;
  /** Per-run scratch directory; each pod gets `<runDir>/pods/<ns>_<name>/`. */
  runDir: string;
  /** host.ns:port → address for in-cluster names the substrate serves itself (the trace store). */
  aliases: Record<string, string>;
  /** `host:port` of the cluster DNS (cluster-dns.ts) once it serves; Node containers resolve names there. */
  clusterDns?: string;
  /** Where each volume is mounted, for the snapshot to show paths as the container sees them. */
  paths?: ContainerPaths;
  nodeName: string;
  /** Container-restart back-off: first delay and cap, ms (kubelet: 10 s and 300 s). */
  backoff: { initialMs: number; maxMs: number };
  /** How often memory limits are enforced, ms. */
  memoryPollMs: number;
}

type ContainerState =
  | { running: { startedAt: string } }
  | { waiting: { reason: string; message?: string } }
  | {
      terminated: {
        exitCode: number;
        reason: string;
        startedAt?: string;
        finishedAt: string;
        signal?: number;
        containerID?: string;
      };
    };

const KUBELET = 'kubelet';

/**
 * The local kubelet for one pod: resolves env and volumes, runs the pod's containers as processes,
 * probes them, enforces the memory limit the way the OOM killer does, restarts with back-off, and keeps
 * `status` and the Events exactly as a node would so capture sees the same evidence on every substrate.
 */
export class PodWorker {
  private proc: ContainerProcess | undefined;
  private state: ContainerState = { waiting: { reason: 'ContainerCreating' } };
  private lastState: ContainerState | undefined;
  private restartCount = 0;
  /** Succeeded or Failed once the container has exited for good (restartPolicy Never or OnFailure). */
  private terminalPhase: 'Succeeded' | 'Failed' | undefined;
  private containerId = '';
  /** When each pod condition last changed status, as the kubelet's status manager keeps them. */
  private readonly transitions = new Map<string, { status: string; at: string }>();
  private ready = false;
  private started = false;
  private startedAtMs = 0;
  private terminating = false;
  private oomKilled = false;
  private livenessKill = false;
  private readonly stopCtl = new AbortController();
  private loop: Promise<void> | undefined;
  readonly podDir: string;
  private lastRss = 0;
  private lastCpu = 0;

  constructor(
    private readonly deps: KubeletDeps,
    private pod: KubeObject,
    readonly podIp: string,
  ) {
    // Laid out like the kubelet's own directory, since these paths show up in the app's messages.
    this.podDir = join(
      deps.runDir,
      'pods',
      pod.metadata.uid ?? `${pod.metadata.namespace}_${pod.metadata.name}`,
    );
  }

  get name(): string {
    return this.pod.metadata.name;
  }
  get namespace(): string {
    return this.pod.metadata.namespace ?? 'default';
  }
  get pid(): number | undefined {
    return this.proc?.pid;
  }
  /** The container's running process, if any. */
  get process(): ContainerProcess | undefined {
    return this.proc;
  }
  get isReady(): boolean {
    return this.ready && !this.terminating;
  }
  get restarts(): number {
    return this.restartCount;
  }
  get phase(): string {
    return this.terminalPhase ?? (this.started ? 'Running' : 'Pending');
  }
  get usage(): { rssBytes: number; cpuSeconds: number } {
    return { rssBytes: this.lastRss, cpuSeconds: this.lastCpu };
  }

  private get spec(): PodSpec | undefined {
    return podSpecOf(this.pod);
  }
  /** Always for Deployments' pods; Jobs' pods say Never or OnFailure. */
  private get restartPolicy(): string {
    return this.spec?.restartPolicy ?? 'Always';
  }
  /** The one container the local kubelet runs: the pod's first. */
  private get container(): Container {
    const c = containersOf(this.spec)[0];
    if (!c) throw new Error(`pod ${this.namespace}/${this.name} has no container`);
    return c;
  }
  private get log(): Logger {
    return this.deps.logger.child({ pod: `${this.namespace}/${this.name}` });
  }

  start(): void {
    this.deps.events.record(
      this.pod,
      'Normal',
      'Scheduled',
      `Successfully assigned ${this.namespace}/${this.name} to ${this.deps.nodeName}`,
      'default-scheduler',
    );
    this.publish();
    this.loop = this.run().catch((err: unknown) => this.log.error({ err }, 'pod worker failed'));
  }

  /** Stop the pod as a deletion does: Killing event, SIGTERM, grace period, SIGKILL. */
  async terminate(graceMs: number): Promise<void> {
    if (this.terminating) return this.loop;
    this.terminating = true;
    this.stopCtl.abort();
    if (this.proc) {
      this.deps.events.record(
        this.pod,
        'Normal',
        'Killing',
        `Stopping container ${this.container.name}`,
        KUBELET,
      );
      await this.proc.stop(graceMs);
    }
    await this.loop;
  }

  private async run(): Promise<void> {
    const signal = this.stopCtl.signal;
    let pulledOnce = false;
    let waitFailures = 0;
    while (!signal.aborted) {
      const c = this.container;
      let env: Record<string, string>;
      let mounts: Record<string, string>;
      try {
        mounts = await this.writeVolumes();
        env = resolveEnv(c, {
          pod: this.pod,
          podIp: this.podIp,
          lookup: (kind, ns, name) => this.deps.store.get(kind, ns, name),
          aliases: this.deps.aliases,
          mounts,
          clusterDns: this.usesClusterDns(c),
        });
      } catch (err) {
        if (!(err instanceof ConfigRefError)) throw err;
        this.setState({ waiting: { reason: err.reason, message: err.message } });
        this.deps.events.record(this.pod, 'Warning', 'Failed', `Error: ${err.message}`, KUBELET);
        await this.sleep(this.backoffMs(waitFailures++));
        continue;
      }
      const img = imageCommand(c.image ?? '', this.deps.repoRoot);
      if (!img) {
        const reason = waitFailures === 0 ? 'ErrImagePull' : 'ImagePullBackOff';
        const msg = `failed to pull and unpack image "${c.image}": failed to resolve reference "${c.image}": not found`;
        this.setState({ waiting: { reason, message: msg } });
        this.deps.events.record(this.pod, 'Normal', 'Pulling', `Pulling image "${c.image}"`, KUBELET);
        this.deps.events.record(
          this.pod,
          'Warning',
          'Failed',
          `Failed to pull image "${c.image}": ${msg}`,
          KUBELET,
        );
        this.deps.events.record(this.pod, 'Warning', 'Failed', `Error: ${reason}`, KUBELET);
        if (waitFailures > 0)
          this.deps.events.record(
            this.pod,
            'Normal',
            'BackOff',
            `Back-off pulling image "${c.image}"`,
            KUBELET,
          );
        await this.sleep(this.backoffMs(waitFailures++));
        continue;
      }
      waitFailures = 0;
      if (!pulledOnce) {
        this.deps.events.record(
          this.pod,
          'Normal',
          'Pulled',
          `Container image "${c.image}" already present on machine`,
          KUBELET,
        );
        pulledOnce = true;
      }
      const argv = [...(c.command ?? img.entrypoint), ...(c.args ?? [])].map((a) => expandVars(a, env));
      const command = img.resolve(argv[0]);
      const args = [...argv.slice(1), ...img.localArgs(this.podIp, this.podDir)];
      // The shop listens on all interfaces in a pod; here each pod owns one loopback address.
      const fullEnv = {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: this.podDir,
        LISTEN_HOST: this.podIp,
        ...img.imageEnv?.(this.podIp, this.podDir),
        ...env,
        ...(this.usesClusterDns(c) ? this.resolverEnv(env) : {}),
      };
      this.deps.events.record(this.pod, 'Normal', 'Created', `Created container ${c.name}`, KUBELET);
      let proc: ContainerProcess;
      try {
        proc = await this.deps.runtime.start({
          id: `${this.namespace}/${this.name}/${c.name}`,
          command,
          args,
          env: fullEnv,
          cwd: this.deps.repoRoot,
          onLine: (stream, line) =>
            this.deps.logs.add({
              ts: new Date(this.deps.clock.now()).toISOString(),
              entity: `${this.namespace}/Pod/${this.name}`,
              container: c.name,
              stream,
              line,
            }),
        });
      } catch (err) {
        const msg = `failed to create containerd task: exec: "${command}": ${(err as Error).message}`;
        this.deps.events.record(this.pod, 'Warning', 'Failed', `Error: ${msg}`, KUBELET);
        if (!this.finish({ code: 128, signal: null }, 'StartError')) return;
        await this.sleep(this.backoffMs(this.restartCount));
        continue;
      }
      this.proc = proc;
      if (signal.aborted) {
        // Deleted while its process was being started: stop it now, nobody else will.
        await proc.stop(this.graceMs());
        break;
      }
      this.started = true;
      this.startedAtMs = this.deps.clock.now();
      this.containerId = `containerd://${randomBytes(32).toString('hex')}`;
      this.oomKilled = false;
      this.livenessKill = false;
      this.setState({ running: { startedAt: kubeTime(this.startedAtMs) } });
      this.deps.events.record(this.pod, 'Normal', 'Started', `Started container ${c.name}`, KUBELET);
      const watchers = new AbortController();
      const stopWatch = (): void => watchers.abort();
      signal.addEventListener('abort', stopWatch, { once: true });
      void this.watchMemory(proc, watchers.signal);
      void this.probeLoop('readiness', c.readinessProbe, proc, watchers.signal);
      void this.probeLoop('liveness', c.livenessProbe, proc, watchers.signal);
      const exit = await proc.exited;
      watchers.abort();
      signal.removeEventListener('abort', stopWatch);
      this.ready = false;
      this.proc = undefined;
      const reason = this.oomKilled ? 'OOMKilled' : exit.code === 0 ? 'Completed' : 'Error';
      if (!this.finish(exit, reason)) return;
      if (signal.aborted) break;
      const ranMs = this.deps.clock.now() - this.startedAtMs;
      // kubelet forgets the back-off after a container has run cleanly for 10 minutes.
      const delay = ranMs > 600_000 ? 0 : this.backoffMs(this.restartCount - 1);
      if (delay > 0) {
        this.setState({
          waiting: {
            reason: 'CrashLoopBackOff',
            message: `back-off ${Math.round(delay / 1000)}s restarting failed container=${c.name} pod=${this.name}_${this.namespace}(${this.pod.metadata.uid ?? ''})`,
          },
        });
        this.deps.events.record(
          this.pod,
          'Warning',
          'BackOff',
          `Back-off restarting failed container ${c.name} in pod ${this.name}_${this.namespace}(${this.pod.metadata.uid ?? ''})`,
          KUBELET,
        );
        await this.sleep(delay);
      }
    }
    // Deleted: a pod that never restarts ends in a terminal phase, which its Job counts.
    if (this.restartPolicy !== 'Always' && !this.terminalPhase) {
      const code = 'terminated' in this.state ? this.state.terminated.exitCode : undefined;
      this.terminalPhase = code === 0 ? 'Succeeded' : 'Failed';
      this.publish();
    }
  }

  private backoffMs(failures: number): number {
    if (failures <= 0) return 0;
    return Math.min(this.deps.backoff.initialMs * 2 ** (failures - 1), this.deps.backoff.maxMs);
  }

  /**
   * Record the container's exit. Returns whether the kubelet will run it again: always under
   * restartPolicy Always, after a failure under OnFailure, never under Never (the pod is then finished).
   */
  private finish(exit: ContainerExit, reason: string): boolean {
    const exitCode = exit.code ?? (exit.signal === 'SIGKILL' ? 137 : exit.signal === 'SIGTERM' ? 143 : 1);
    const term: ContainerState = {
      terminated: {
        exitCode,
        reason,
        startedAt: this.startedAtMs ? kubeTime(this.startedAtMs) : undefined,
        finishedAt: kubeTime(this.deps.clock.now()),
        ...(this.containerId ? { containerID: this.containerId } : {}),
      },
    };
    const policy = this.restartPolicy;
    const restarts = !this.terminating && (policy === 'Always' || (policy === 'OnFailure' && exitCode !== 0));
    this.log.debug({ exitCode, reason, signal: exit.signal }, 'container exited');
    if (!restarts && !this.terminating) {
      // The pod is done: the final state stays in `state`, and no restart is counted.
      this.terminalPhase = exitCode === 0 ? 'Succeeded' : 'Failed';
      this.setState(term);
      return false;
    }
    this.lastState = term;
    if (restarts) this.restartCount++;
    this.setState(term);
    return true;
  }

  private async sleep(ms: number): Promise<void> {
    try {
      await this.deps.clock.sleep(ms, this.stopCtl.signal);
    } catch {
      // aborted: the loop checks the signal
    }
  }

  /** ConfigMap and Secret volumes become files under the pod directory; returns mountPath → local path. */
  private async writeVolumes(): Promise<Record<string, string>> {
    await mkdir(this.podDir, { recursive: true });
    await letOthersThrough([
      ...tmpAncestors(this.deps.runDir),
      this.deps.runDir,
      join(this.deps.runDir, 'pods'),
    ]);
    const mounts: Record<string, string> = {};
    const vols = new Map((this.spec?.volumes ?? []).map((v) => [v.name, v]));
    for (const m of this.container.volumeMounts ?? []) {
      const vol = vols.get(m.name);
      if (!vol) continue;
      const plugin = vol.secret
        ? 'kubernetes.io~secret'
        : vol.configMap
          ? 'kubernetes.io~configmap'
          : 'kubernetes.io~empty-dir';
      const dir = join(this.podDir, 'volumes', plugin, m.name);
      await mkdir(dir, { recursive: true });
      const files = volumeFiles(vol, this.namespace, (k, ns, n) => this.deps.store.get(k, ns, n));
      for (const [path, content] of Object.entries(files ?? {})) {
        const tmp = join(dir, `.${path}.tmp`);
        await writeFile(tmp, content);
        await rename(tmp, join(dir, path));
      }
      mounts[m.mountPath] = dir;
      this.deps.paths?.mount(dir, m.mountPath);
    }
    return mounts;
  }

  private async watchMemory(proc: ContainerProcess, signal: AbortSignal): Promise<void> {
    const limit = parseQuantity(this.container.resources?.limits?.memory);
    while (!signal.aborted) {
      try {
        this.lastRss = await proc.rssBytes();
        this.lastCpu = await proc.cpuSeconds();
      } catch {
        // process already gone
      }
      if (limit !== undefined && this.lastRss > limit && !signal.aborted) {
        this.oomKilled = true;
        const kb = Math.round(this.lastRss / 1024);
        this.log.info({ rss: this.lastRss, limit }, 'memory limit exceeded: killing container');
        this.deps.events.record(
          { kind: 'Node', metadata: { name: this.deps.nodeName, namespace: undefined } },
          'Warning',
          'OOMKilling',
          `Memory cgroup out of memory: Killed process ${proc.pid} (${this.container.name}) total-vm:${kb}kB, anon-rss:${kb}kB, file-rss:0kB, shmem-rss:0kB`,
          'kernel-monitor',
        );
        proc.kill('SIGKILL');
        return;
      }
      await this.deps.clock.sleep(this.deps.memoryPollMs, signal).catch(() => undefined);
    }
  }

  private async probeLoop(
    kind: 'readiness' | 'liveness',
    probe: Probe | undefined,
    proc: ContainerProcess,
    signal: AbortSignal,
  ): Promise<void> {
    if (!probe) {
      if (kind === 'readiness') this.setReady(true);
      return;
    }
    const ports: Record<string, number> = {};
    for (const p of this.container.ports ?? []) if (p.name) ports[p.name] = p.containerPort;
    const period = (probe.periodSeconds ?? 10) * 1000;
    const failureThreshold = probe.failureThreshold ?? 3;
    const successThreshold = probe.successThreshold ?? 1;
    let fails = 0;
    let oks = 0;
    await this.deps.clock.sleep((probe.initialDelaySeconds ?? 0) * 1000, signal).catch(() => undefined);
    while (!signal.aborted) {
      const r = await this.deps.prober.check(probe, this.podIp, ports);
      if (signal.aborted) return;
      if (r.ok) {
        fails = 0;
        oks++;
        if (kind === 'readiness' && oks >= successThreshold) this.setReady(true);
      } else {
        oks = 0;
        fails++;
        const label = kind === 'readiness' ? 'Readiness' : 'Liveness';
        this.deps.events.record(
          this.pod,
          'Warning',
          'Unhealthy',
          `${label} probe failed: ${r.message}`,
          KUBELET,
        );
        if (fails >= failureThreshold) {
          if (kind === 'readiness') this.setReady(false);
          else if (!this.livenessKill) {
            this.livenessKill = true;
            this.deps.events.record(
              this.pod,
              'Normal',
              'Killing',
              `Container ${this.container.name} failed liveness probe, will be restarted`,
              KUBELET,
            );
            void proc.stop(this.graceMs());
            return;
          }
        }
      }
      await this.deps.clock.sleep(period, signal).catch(() => undefined);
    }
  }

  graceMs(): number {
    return Math.min((this.spec?.terminationGracePeriodSeconds ?? 30) * 1000, 10_000);
  }

  /** Whether this container looks names up at the cluster DNS: a Node.js image, once the DNS serves. */
  private usesClusterDns(c: Container): boolean {
    return (
      this.deps.clusterDns !== undefined &&
      imageCommand(c.image ?? '', this.deps.repoRoot)?.nodeRuntime === true
    );
  }

  /** The pod's resolv.conf, for a Node process: the resolver preloaded, the server, the pod's address and namespace. */
  private resolverEnv(containerEnv: Record<string, string>): Record<string, string> {
    const shim = pathToFileURL(join(this.deps.repoRoot, DNS_SHIM)).href;
    return {
      NODE_OPTIONS: [`--import=${shim}`, containerEnv.NODE_OPTIONS].filter(Boolean).join(' '),
      FIREDRILL_CLUSTER_DNS: this.deps.clusterDns ?? '',
      FIREDRILL_POD_IP: this.podIp,
      FIREDRILL_POD_NAMESPACE: this.namespace,
    };
  }

  private setReady(ready: boolean): void {
    if (this.ready === ready) return;
    this.ready = ready;
    this.publish();
  }

  private setState(s: ContainerState): void {
    this.state = s;
    this.publish();
  }

  /** The condition with the time it last changed status (kept while the status holds). */
  private condition(
    type: string,
    status: 'True' | 'False',
    now: string,
    why?: { reason: string; message?: string },
  ): { type: string; status: string; lastTransitionTime: string; reason?: string; message?: string } {
    const prev = this.transitions.get(type);
    const at = prev && prev.status === status ? prev.at : now;
    this.transitions.set(type, { status, at });
    return { type, status, lastTransitionTime: at, ...(why ?? {}) };
  }

  /** Write the pod's status as kubelet reports it. */
  publish(): void {
    const now = kubeTime(this.deps.clock.now());
    const c = this.container;
    const ready = this.isReady;
    const phase = this.phase;
    // Why the pod is not ready: finished (PodCompleted/PodFailed) or a container not ready yet.
    const notReady =
      phase === 'Succeeded'
        ? { reason: 'PodCompleted' }
        : phase === 'Failed'
          ? { reason: 'PodFailed' }
          : { reason: 'ContainersNotReady', message: `containers with unready status: [${c.name}]` };
    const finished = phase === 'Succeeded' || phase === 'Failed';
    const status = {
      phase,
      conditions: [
        this.condition('PodReadyToStartContainers', finished ? 'False' : 'True', now),
        this.condition(
          'Initialized',
          'True',
          now,
          phase === 'Succeeded' ? { reason: 'PodCompleted' } : undefined,
        ),
        this.condition('Ready', ready ? 'True' : 'False', now, ready ? undefined : notReady),
        this.condition('ContainersReady', ready ? 'True' : 'False', now, ready ? undefined : notReady),
        this.condition('PodScheduled', 'True', now),
      ],
      hostIP: '127.0.0.1',
      hostIPs: [{ ip: '127.0.0.1' }],
      podIP: this.podIp,
      podIPs: [{ ip: this.podIp }],
      startTime: this.pod.metadata.creationTimestamp,
      containerStatuses: [
        {
          name: c.name,
          image: c.image,
          // Known once the image is there, as containerd reports it: the repository and the content digest.
          imageID: this.containerId ? imageIdOf(c.image ?? '') : '',
          ...(this.containerId ? { containerID: this.containerId } : {}),
          ready,
          started: 'running' in this.state,
          restartCount: this.restartCount,
          state: this.state,
          ...(this.lastState ? { lastState: this.lastState } : {}),
        },
      ],
      qosClass: qosClass(containersOf(this.spec)),
    };
    this.deps.store.updateStatus('Pod', this.namespace, this.name, status);
  }
}

/**
 * A container may drop root for a user of its own (the postgres image runs its server as `postgres`),
 * which must still reach its pod directory, as on a node it reaches its mounts. So when the kubelet runs
 * as root, the directories above the pods' (a run directory from mkdtemp is 0700) let others pass
 * through: search permission only, so listing them stays root's.
 */
async function letOthersThrough(dirs: readonly string[]): Promise<void> {
  if (process.getuid?.() !== 0) return;
  for (const dir of dirs) {
    const mode = (await stat(dir)).mode & 0o7777;
    if ((mode & 0o001) === 0) await chmod(dir, mode | 0o001);
  }
}

/**
 * The directories between the system's temporary directory and `dir` (a FIREDRILL_WORK_DIR inside a
 * mkdtemp'd 0700 directory, as tests make): opened like the run directory. Directories outside the
 * temporary directory (a home directory) are the user's to open; docs/air-gapped.md says so.
 */
export function tmpAncestors(dir: string): string[] {
  const tmp = resolve(tmpdir());
  const out: string[] = [];
  for (let d = dirname(resolve(dir)); d.startsWith(`${tmp}/`); d = dirname(d)) out.unshift(d);
  return out;
}

/** `acme/shop:0.1.0` → `docker.io/acme/shop@sha256:<64 hex>`, a digest fixed by the reference. */
export function imageIdOf(image: string): string {
  const ref = parseImageRef(image);
  const name = ref?.name ?? image;
  const slash = name.indexOf('/');
  const registry = slash > 0 && /[.:]|^localhost$/.test(name.slice(0, slash));
  const full = registry ? name : `docker.io/${slash < 0 ? `library/${name}` : name}`;
  return `${full}@${ref?.digest ?? `sha256:${createHash('sha256').update(image).digest('hex')}`}`;
}

/** The pod's QoS class from its containers' requests and limits (v1qos.GetPodQOS). */
export function qosClass(containers: Container[]): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const set = (m: Record<string, unknown> | undefined, k: string): boolean => m?.[k] !== undefined;
  const any = containers.some((c) =>
    ['cpu', 'memory'].some((k) => set(c.resources?.requests, k) || set(c.resources?.limits, k)),
  );
  if (!any) return 'BestEffort';
  const guaranteed = containers.every((c) =>
    ['cpu', 'memory'].every((k) => {
      const limit = c.resources?.limits?.[k];
      const request = c.resources?.requests?.[k] ?? limit;
      return limit !== undefined && String(request) === String(limit);
    }),
  );
  return guaranteed ? 'Guaranteed' : 'Burstable';
}
