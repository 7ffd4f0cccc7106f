import { randomUUID } from 'node:crypto';
import type { Logger } from '../../logging/logger.js';
import type { Clock } from '../../util/clock.js';
import { containersOf, namedPort } from '../../kube/containers.js';
import { labelsMatch, type KubeObject } from '../../kube/kube-object.js';
import { podSpecOf } from '../../kube/pod-template.js';
import {
  asCronJob,
  asDeployment,
  asJob,
  asNode,
  asService,
  ofKind,
  type Pod,
  type Service,
} from '../../kube/typed-objects.js';
import type { ObjectApi } from '../../platform/object-api.js';
import type { ContainerRuntime } from './container-runtime.js';
import type { PodLifecycle } from './controller-support.js';
import { DeploymentController, REVISION } from './deployment-controller.js';
import { EventRecorder } from './event-recorder.js';
import { CronJobController, defaultCronJob, defaultJob, JobController } from './job-controller.js';
import { KubeStateExporter } from './kube-state-exporter.js';
import { ClusterDns } from './cluster-dns.js';
import { LocalChaos } from './local-chaos.js';
import { LogStore } from './log-store.js';
import { machineFacts, NODE_NAME, nodeObject, type MachineFacts } from './node.js';
import { ObjectStore } from './object-store.js';
import { PodNetwork } from './pod-network.js';
import { ClusterAddresses } from './cluster-addresses.js';
import { ContainerPaths } from './container-paths.js';
import { PodWorker, type KubeletDeps } from './pod-worker.js';
import type { Prober } from './prober.js';
import { ReplicaSetController } from './replicaset-controller.js';
import { ServiceProxy, type Endpoint } from './service-proxy.js';
import { kubeTime } from '../../kube/kube-time.js';

export interface LocalClusterOptions {
  runtime: ContainerRuntime;
  prober: Prober;
  clock: Clock;
  logger: Logger;
  repoRoot: string;
  runDir: string;
  aliases?: Record<string, string>;
  network?: PodNetwork;
  backoff?: { initialMs: number; maxMs: number };
  memoryPollMs?: number;
  /** The machine the node reports (capacity, kernel...); default this one. */
  machine?: MachineFacts;
}

/** A scrape target: one running pod with the container port its scrape annotations name. */
export interface PodTarget {
  namespace: string;
  pod: string;
  app: string;
  address: string;
  path: string;
}

export { NODE_NAME } from './node.js';

const NODE_STATUS_REPORT_MS = 5 * 60_000;

/** Kinds whose changes the controllers act on. */
const WATCHED = new Set(['Deployment', 'ReplicaSet', 'Pod', 'Service', 'Job', 'CronJob']);

/**
 * A one-node "cluster" made of processes: an object store in place of the API server, the Deployment,
 * ReplicaSet, Job and CronJob controllers, a garbage collector, a kubelet per pod and a proxy per Service
 * port. Faults and capture talk to it through the same ObjectApi the Kubernetes substrate implements over
 * the real API.
 */
export class LocalCluster implements ObjectApi, PodLifecycle {
  readonly store: ObjectStore;
  readonly events: EventRecorder;
  readonly logs = new LogStore();
  readonly network: PodNetwork;
  /** How the loopback addresses read in the snapshot (cluster-addresses.ts). */
  readonly addresses: ClusterAddresses;
  /** How this machine's paths read inside the containers (container-paths.ts). */
  readonly paths: ContainerPaths;
  readonly kubeState: KubeStateExporter;
  readonly chaos: LocalChaos;
  private readonly dns: ClusterDns;
  private readonly workers = new Map<string, PodWorker>();
  private readonly terminating = new Set<string>();
  private readonly proxies = new Map<string, ServiceProxy>();
  private readonly deployments: DeploymentController;
  private readonly replicaSets: ReplicaSetController;
  private readonly jobs: JobController;
  private readonly cronJobs: CronJobController;
  private readonly deps: KubeletDeps;
  private readonly targetListeners = new Set<(t: PodTarget[]) => void>();
  private scheduled = false;
  private ticker: NodeJS.Timeout | undefined;
  private stopped = false;
  private lastTargets = '';

  constructor(private readonly opts: LocalClusterOptions) {
    this.store = new ObjectStore(opts.clock);
    this.events = new EventRecorder(this.store, opts.clock, NODE_NAME);
    this.network = opts.network ?? new PodNetwork();
    this.addresses = new ClusterAddresses(
      this.network.prefix,
      () => this.kubeState.port,
      this.network.podIp(),
    );
    this.paths = new ContainerPaths(opts.repoRoot, opts.runDir);
    this.deps = {
      store: this.store,
      events: this.events,
      runtime: opts.runtime,
      logs: this.logs,
      clock: opts.clock,
      logger: opts.logger.child({ component: 'kubelet' }),
      prober: opts.prober,
      repoRoot: opts.repoRoot,
      runDir: opts.runDir,
      paths: this.paths,
      aliases: opts.aliases ?? {},
      nodeName: NODE_NAME,
      backoff: opts.backoff ?? { initialMs: 10_000, maxMs: 300_000 },
      memoryPollMs: opts.memoryPollMs ?? 1000,
    };
    this.deployments = new DeploymentController(this.store, this.events, opts.clock);
    this.replicaSets = new ReplicaSetController(this.store, this.events, this);
    this.jobs = new JobController(this.store, this.events, this, opts.clock, this.deps.backoff);
    this.cronJobs = new CronJobController(this.store, this.events);
    this.chaos = new LocalChaos({
      store: this.store,
      runtime: opts.runtime,
      logger: opts.logger.child({ component: 'chaos' }),
      repoRoot: opts.repoRoot,
      podIps: () => new Map([...this.workers].map(([k, w]) => [k, w.podIp])),
      isRunning: (ns, name) => !!this.workers.get(`${ns}/${name}`)?.pid && !this.isTerminating(ns, name),
      containerProcess: (ns, name) => this.workers.get(`${ns}/${name}`)?.process,
    });
    this.dns = new ClusterDns({
      clusterIp: (ns, name) => {
        const ip = asService(this.store.get('Service', ns, name))?.spec?.clusterIP;
        return ip && ip !== 'None' ? ip : undefined;
      },
      workloadAt: (ip) => this.chaos.workloadAt(ip),
      lookupFails: (client, service) => this.chaos.rules.lookupFails(client, service),
    });
    this.kubeState = new KubeStateExporter({
      objects: (kind) => this.store.list(kind),
      usage: (ns, pod) =>
        withNeighbours(this.workers.get(`${ns}/${pod}`)?.usage, this.chaos.extraUsage(ns, pod)),
    });
    this.store.onChange((c) => {
      if (WATCHED.has(c.object.kind)) this.schedule();
    });
  }

  /** Host aliases (in-cluster name → local address) for names the substrate serves itself. */
  setAliases(aliases: Record<string, string>): void {
    Object.assign(this.deps.aliases, aliases);
  }

  async start(): Promise<void> {
    this.store.apply(nodeObject(this.opts.machine ?? machineFacts(), this.opts.clock.now()));
    this.deps.clusterDns = await this.dns.start();
    await this.kubeState.start();
    this.ticker = setInterval(() => {
      this.heartbeat();
      this.schedule();
    }, 1000);
    this.ticker.unref();
  }

  /**
   * The kubelet reports an unchanged node status every nodeStatusReportFrequency (5 min), moving each
   * condition's lastHeartbeatTime on: a node whose heartbeat is as old as the cluster looks dead.
   */
  private heartbeat(): void {
    const node = asNode(this.store.get('Node', undefined, NODE_NAME));
    const conditions = node?.status?.conditions;
    if (!node || !conditions) return;
    const now = this.opts.clock.now();
    const last = Math.max(...conditions.map((c) => Date.parse(c.lastHeartbeatTime ?? '') || 0));
    if (now - last < NODE_STATUS_REPORT_MS) return;
    const at = kubeTime(now);
    this.store.updateStatus('Node', undefined, NODE_NAME, {
      ...node.status,
      conditions: conditions.map((c) => ({ ...c, lastHeartbeatTime: at })),
    });
  }

  onTargetsChanged(listener: (t: PodTarget[]) => void): void {
    this.targetListeners.add(listener);
  }

  // ---- ObjectApi -------------------------------------------------------------------------------

  async get(kind: string, namespace: string | undefined, name: string): Promise<KubeObject | undefined> {
    return this.store.get(kind, namespace, name);
  }

  async list(kind: string, namespace?: string, selector?: Record<string, string>): Promise<KubeObject[]> {
    return this.store.list(kind, namespace, selector);
  }

  async apply(obj: KubeObject): Promise<KubeObject> {
    if (obj.kind === 'Pod') throw new Error('pods are created by their controllers on the local substrate');
    let o = structuredClone(obj);
    if (o.kind === 'Namespace' && !o.metadata.namespace) delete o.metadata.namespace;
    const svc = asService(o);
    if (svc) {
      const prev = asService(this.store.get('Service', o.metadata.namespace, o.metadata.name));
      // Keeps the address a Service was given, as the API server keeps spec.clusterIP.
      svc.spec = { ...svc.spec, clusterIP: prev?.spec?.clusterIP ?? this.network.serviceIp() };
    }
    if (o.kind === 'Secret' && o.stringData) {
      o.data = { ...(o.data ?? {}) };
      for (const [k, v] of Object.entries(o.stringData)) o.data[k] = Buffer.from(v).toString('base64');
      delete o.stringData;
    }
    const prev = this.store.get(o.kind, o.metadata.namespace, o.metadata.name);
    const deployment = asDeployment(o);
    const revision = prev?.metadata.annotations?.[REVISION];
    if (deployment && revision !== undefined && deployment.metadata.annotations?.[REVISION] === undefined) {
      // The controller's annotation survives a re-apply of the manifest, as with `kubectl apply`.
      deployment.metadata.annotations = { ...(deployment.metadata.annotations ?? {}), [REVISION]: revision };
    }
    const job = asJob(o);
    if (job) {
      // A Job's template cannot change once created: a re-apply keeps the stored spec and its selector.
      const existing = asJob(prev);
      o = existing ? { ...job, spec: existing.spec } : defaultJob(job, job.metadata.uid ?? randomUUID());
    }
    const cron = asCronJob(o);
    if (cron) o = defaultCronJob(cron);
    const stored = this.store.apply(o);
    if (o.kind === 'Service') await this.syncProxies();
    return stored;
  }

  /**
   * Deletes the object, then what it owns (background cascading deletion, as the garbage collector does):
   * a Deployment's ReplicaSets and their pods, a Job's pods, a CronJob's Jobs.
   */
  async delete(kind: string, namespace: string | undefined, name: string): Promise<boolean> {
    if (kind === 'Pod') {
      if (!this.store.get('Pod', namespace, name)) return false;
      this.deletePod(namespace ?? 'default', name);
      return true;
    }
    const gone = this.store.delete(kind, namespace, name);
    if (gone) this.collectDependents(gone);
    if (kind === 'Service') await this.syncProxies();
    return gone !== undefined;
  }

  private collectDependents(owner: KubeObject): void {
    const uid = owner.metadata.uid;
    if (!uid) return;
    for (const o of this.store.all()) {
      if (!o.metadata.ownerReferences?.some((r) => r.uid === uid)) continue;
      if (o.kind === 'Pod') {
        // Nothing is left to count a Job's pods: their tracking finalizer goes with the Job.
        if (o.metadata.finalizers) {
          delete o.metadata.finalizers;
          this.store.apply(o);
        }
        this.deletePod(o.metadata.namespace ?? 'default', o.metadata.name);
      } else {
        const gone = this.store.delete(o.kind, o.metadata.namespace, o.metadata.name);
        if (gone) this.collectDependents(gone);
      }
    }
  }

  // ---- PodLifecycle (the controller's view of the kubelet) ------------------------------------

  /** Admit and schedule a controller's pod: it is bound to the node and its kubelet starts it. */
  createPod(pod: Pod): void {
    const ns = pod.metadata.namespace ?? 'default';
    const bound: Pod = { ...pod, spec: { containers: [], ...pod.spec, nodeName: NODE_NAME } };
    const stored = this.store.apply(bound);
    const worker = new PodWorker(this.deps, stored, this.network.podIp());
    this.workers.set(`${ns}/${pod.metadata.name}`, worker);
    worker.start();
  }

  deletePod(namespace: string, name: string): void {
    const key = `${namespace}/${name}`;
    if (this.terminating.has(key)) return;
    const pod = this.store.get('Pod', namespace, name);
    if (pod?.metadata.deletionTimestamp && !this.workers.has(key)) {
      // Already stopped and only waiting for its finalizers.
      return;
    }
    this.terminating.add(key);
    if (pod) {
      pod.metadata.deletionTimestamp = kubeTime(this.opts.clock.now());
      pod.metadata.deletionGracePeriodSeconds = podSpecOf(pod)?.terminationGracePeriodSeconds ?? 30;
      this.store.apply(pod);
    }
    const worker = this.workers.get(key);
    const done = worker ? worker.terminate(worker.graceMs()) : Promise.resolve();
    void done.finally(() => {
      this.workers.delete(key);
      if (worker) this.network.release(worker.podIp);
      this.chaos.forgetPod(namespace, name);
      this.terminating.delete(key);
      this.removeIfReleased(namespace, name);
    });
  }

  /** A pod being deleted goes once its containers have stopped and no finalizer holds it. */
  private removeIfReleased(namespace: string, name: string): void {
    const key = `${namespace}/${name}`;
    const pod = this.store.get('Pod', namespace, name);
    if (!pod?.metadata.deletionTimestamp || this.terminating.has(key)) return;
    if ((pod.metadata.finalizers ?? []).length > 0) return;
    this.store.delete('Pod', namespace, name);
  }

  isReady(namespace: string, name: string): boolean {
    return this.workers.get(`${namespace}/${name}`)?.isReady ?? false;
  }

  isTerminating(namespace: string, name: string): boolean {
    return this.terminating.has(`${namespace}/${name}`);
  }

  worker(namespace: string, name: string): PodWorker | undefined {
    return this.workers.get(`${namespace}/${name}`);
  }

  // ---- reconciliation -------------------------------------------------------------------------

  private schedule(): void {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (this.stopped) return;
      // ReplicaSets first so the Deployments decide on fresh counts, then again for the sizes just set.
      this.replicaSets.reconcileAll();
      this.deployments.reconcileAll();
      this.replicaSets.reconcileAll();
      this.jobs.reconcileAll();
      this.cronJobs.reconcileAll((ns, name) => void this.delete('Job', ns, name));
      for (const p of this.store.select('Pod', undefined, (o) => !!o.metadata.deletionTimestamp))
        this.removeIfReleased(p.metadata.namespace ?? 'default', p.metadata.name);
      void this.syncProxies();
      this.publishTargets();
    });
  }

  private endpointsOf(svc: Service, targetPort: number | string | undefined): Endpoint[] {
    const out: Endpoint[] = [];
    const selects = (o: Readonly<KubeObject>): boolean => labelsMatch(svc.spec?.selector, o.metadata.labels);
    for (const pod of this.store.select('Pod', svc.metadata.namespace, selects)) {
      const w = this.workers.get(`${pod.metadata.namespace}/${pod.metadata.name}`);
      if (!w?.isReady) continue;
      const port = resolvePort(pod, targetPort);
      if (port !== undefined) out.push({ ip: w.podIp, port });
    }
    return out;
  }

  private async syncProxies(): Promise<void> {
    const live = new Set<string>();
    for (const svc of ofKind(this.store.list('Service'), 'Service')) {
      const spec = svc.spec;
      if (!spec?.clusterIP) continue;
      for (const p of spec.ports ?? []) {
        const key = `${svc.metadata.namespace}/${svc.metadata.name}:${p.port}`;
        live.add(key);
        let proxy = this.proxies.get(key);
        if (!proxy) {
          proxy = new ServiceProxy(spec.clusterIP, p.port, {
            service: { namespace: svc.metadata.namespace ?? 'default', name: svc.metadata.name },
            rules: this.chaos.rules,
            workloadAt: (ip) => this.chaos.workloadAt(ip),
          });
          this.proxies.set(key, proxy);
          await proxy.start();
        }
        proxy.setEndpoints(this.endpointsOf(svc, p.targetPort ?? p.port));
      }
    }
    for (const [key, proxy] of this.proxies) {
      if (!live.has(key)) {
        this.proxies.delete(key);
        await proxy.stop();
      }
    }
  }

  /** Pods that ask to be scraped (prometheus.io/* annotations), as Prometheus' pod discovery sees them. */
  scrapeTargets(): PodTarget[] {
    const out: PodTarget[] = [];
    for (const pod of this.store.list('Pod')) {
      const a = pod.metadata.annotations ?? {};
      if (a['prometheus.io/scrape'] !== 'true') continue;
      const w = this.workers.get(`${pod.metadata.namespace}/${pod.metadata.name}`);
      if (!w || this.isTerminating(pod.metadata.namespace ?? 'default', pod.metadata.name)) continue;
      const port = Number(a['prometheus.io/port'] ?? resolvePort(pod, undefined));
      out.push({
        namespace: pod.metadata.namespace ?? 'default',
        pod: pod.metadata.name,
        app: pod.metadata.labels?.['app.kubernetes.io/name'] ?? pod.metadata.name,
        address: `${w.podIp}:${port}`,
        path: a['prometheus.io/path'] ?? '/metrics',
      });
    }
    return out;
  }

  private publishTargets(): void {
    const t = this.scrapeTargets();
    const key = JSON.stringify(t);
    if (key === this.lastTargets) return;
    this.lastTargets = key;
    for (const l of this.targetListeners) l(t);
  }

  /** Stop every pod (in parallel, with their grace periods), every proxy and the exporter. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.ticker) clearInterval(this.ticker);
    await this.chaos.stop();
    await Promise.all([...this.workers.values()].map((w) => w.terminate(2000)));
    this.workers.clear();
    await Promise.all([...this.proxies.values()].map((p) => p.stop()));
    this.proxies.clear();
    await this.dns.stop();
    await this.kubeState.stop();
  }
}

/** A container's usage with what the stressors beside it use, as its cgroup would count them. */
function withNeighbours(
  own: { rssBytes: number; cpuSeconds: number } | undefined,
  extra: { rssBytes: number; cpuSeconds: number } | undefined,
): { rssBytes: number; cpuSeconds: number } | undefined {
  if (!own || !extra) return own;
  return { rssBytes: own.rssBytes + extra.rssBytes, cpuSeconds: own.cpuSeconds + extra.cpuSeconds };
}

function resolvePort(pod: KubeObject, target: number | string | undefined): number | undefined {
  const containers = containersOf(podSpecOf(pod));
  if (target === undefined) return containers.flatMap((c) => c.ports ?? [])[0]?.containerPort;
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(target)) return Number(target);
  return namedPort(containers, target);
}
