import { createServer, type Server } from 'node:http';
import { containersOf } from '../../kube/containers.js';
import { parseQuantity, type KubeObject } from '../../kube/kube-object.js';
import { ofKind } from '../../kube/typed-objects.js';

export interface ContainerUsage {
  rssBytes: number;
  cpuSeconds: number;
}

export interface KubeStateSource {
  objects(kind: string): KubeObject[];
  usage(namespace: string, pod: string): ContainerUsage | undefined;
}

type Labels = Record<string, string>;

const esc = (v: string): string => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const fmt = (l: Labels): string =>
  `{${Object.entries(l)
    .map(([k, v]) => `${k}="${esc(v)}"`)
    .join(',')}}`;

class Family {
  readonly lines: string[] = [];
  constructor(
    readonly name: string,
    readonly type: 'gauge' | 'counter',
    readonly help: string,
  ) {}
  add(labels: Labels, value: number): void {
    this.lines.push(`${this.name}${fmt(labels)} ${Number.isFinite(value) ? value : 0}`);
  }
  text(): string {
    return `# HELP ${this.name} ${this.help}\n# TYPE ${this.name} ${this.type}\n${this.lines.join('\n')}${this.lines.length ? '\n' : ''}`;
  }
}

const PHASES = ['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown'];
const WAITING = [
  'ContainerCreating',
  'CrashLoopBackOff',
  'CreateContainerConfigError',
  'ErrImagePull',
  'ImagePullBackOff',
];
const TERMINATED = ['OOMKilled', 'Completed', 'Error', 'ContainerCannotRun', 'StartError'];

/**
 * The series kube-state-metrics and the kubelet's cAdvisor endpoint publish, computed from the local
 * substrate's objects and process statistics, so the same alert rules serve local and Kubernetes runs.
 */
export function renderKubeState(src: KubeStateSource): string {
  const f = {
    podInfo: new Family('kube_pod_info', 'gauge', 'Information about pod.'),
    podOwner: new Family('kube_pod_owner', 'gauge', "Information about the Pod's owner."),
    phase: new Family('kube_pod_status_phase', 'gauge', 'The pods current phase.'),
    ready: new Family(
      'kube_pod_status_ready',
      'gauge',
      'Describes whether the pod is ready to serve requests.',
    ),
    restarts: new Family(
      'kube_pod_container_status_restarts_total',
      'counter',
      'The number of container restarts per container.',
    ),
    cReady: new Family(
      'kube_pod_container_status_ready',
      'gauge',
      'Describes whether the containers readiness check succeeded.',
    ),
    running: new Family(
      'kube_pod_container_status_running',
      'gauge',
      'Describes whether the container is currently in running state.',
    ),
    waiting: new Family(
      'kube_pod_container_status_waiting',
      'gauge',
      'Describes whether the container is currently in waiting state.',
    ),
    waitingReason: new Family(
      'kube_pod_container_status_waiting_reason',
      'gauge',
      'Describes the reason the container is currently in waiting state.',
    ),
    terminatedReason: new Family(
      'kube_pod_container_status_last_terminated_reason',
      'gauge',
      'Describes the last reason the container was in terminated state.',
    ),
    limits: new Family(
      'kube_pod_container_resource_limits',
      'gauge',
      'The number of requested limit resource by a container.',
    ),
    requests: new Family(
      'kube_pod_container_resource_requests',
      'gauge',
      'The number of requested request resource by a container.',
    ),
    specReplicas: new Family(
      'kube_deployment_spec_replicas',
      'gauge',
      'Number of desired pods for a deployment.',
    ),
    replicas: new Family(
      'kube_deployment_status_replicas',
      'gauge',
      'The number of replicas per deployment.',
    ),
    available: new Family(
      'kube_deployment_status_replicas_available',
      'gauge',
      'The number of available replicas per deployment.',
    ),
    unavailable: new Family(
      'kube_deployment_status_replicas_unavailable',
      'gauge',
      'The number of unavailable replicas per deployment.',
    ),
    updated: new Family(
      'kube_deployment_status_replicas_updated',
      'gauge',
      'The number of updated replicas per deployment.',
    ),
    readyReplicas: new Family(
      'kube_deployment_status_replicas_ready',
      'gauge',
      'The number of ready replicas per deployment.',
    ),
    generation: new Family(
      'kube_deployment_metadata_generation',
      'gauge',
      'Sequence number representing a specific generation of the desired state.',
    ),
    observed: new Family(
      'kube_deployment_status_observed_generation',
      'gauge',
      'The generation observed by the deployment controller.',
    ),
    mem: new Family(
      'container_memory_working_set_bytes',
      'gauge',
      'Current working set of the container in bytes',
    ),
    rss: new Family('container_memory_rss', 'gauge', 'Size of RSS in bytes.'),
    cpu: new Family(
      'container_cpu_usage_seconds_total',
      'counter',
      'Cumulative cpu time consumed in seconds.',
    ),
    memLimit: new Family('container_spec_memory_limit_bytes', 'gauge', 'Memory limit for the container.'),
  };

  for (const pod of ofKind(src.objects('Pod'), 'Pod')) {
    const namespace = pod.metadata.namespace ?? 'default';
    const name = pod.metadata.name;
    const base = { namespace, pod: name };
    const owner = pod.metadata.ownerReferences?.[0];
    const status = pod.status ?? {};
    f.podInfo.add(
      {
        ...base,
        node: 'localhost',
        created_by_kind: owner?.kind ?? '<none>',
        created_by_name: owner?.name ?? '<none>',
        host_ip: '127.0.0.1',
        pod_ip: String(status.podIP ?? ''),
      },
      1,
    );
    f.podOwner.add(
      {
        ...base,
        owner_kind: owner?.kind ?? '<none>',
        owner_name: owner?.name ?? '<none>',
        owner_is_controller: 'true',
      },
      1,
    );
    for (const ph of PHASES) f.phase.add({ ...base, phase: ph }, status.phase === ph ? 1 : 0);
    const readyCond = status.conditions?.find((c) => c.type === 'Ready')?.status ?? 'Unknown';
    for (const c of ['true', 'false', 'unknown'])
      f.ready.add({ ...base, condition: c }, readyCond.toLowerCase() === c ? 1 : 0);
    for (const cs of status.containerStatuses ?? []) {
      const cl = { ...base, container: cs.name };
      f.restarts.add(cl, cs.restartCount);
      f.cReady.add(cl, cs.ready ? 1 : 0);
      f.running.add(cl, cs.state?.running ? 1 : 0);
      f.waiting.add(cl, cs.state?.waiting ? 1 : 0);
      const wr = cs.state?.waiting?.reason;
      if (wr && WAITING.includes(wr)) f.waitingReason.add({ ...cl, reason: wr }, 1);
      const tr = cs.lastState?.terminated?.reason;
      if (tr && TERMINATED.includes(tr)) f.terminatedReason.add({ ...cl, reason: tr }, 1);
    }
    const usage = src.usage(namespace, name);
    for (const c of containersOf(pod.spec)) {
      const cl = { ...base, container: c.name, node: 'localhost' };
      const memLimit = parseQuantity(c.resources?.limits?.memory);
      const cpuLimit = parseQuantity(c.resources?.limits?.cpu);
      const memReq = parseQuantity(c.resources?.requests?.memory);
      const cpuReq = parseQuantity(c.resources?.requests?.cpu);
      if (memLimit !== undefined) f.limits.add({ ...cl, resource: 'memory', unit: 'byte' }, memLimit);
      if (cpuLimit !== undefined) f.limits.add({ ...cl, resource: 'cpu', unit: 'core' }, cpuLimit);
      if (memReq !== undefined) f.requests.add({ ...cl, resource: 'memory', unit: 'byte' }, memReq);
      if (cpuReq !== undefined) f.requests.add({ ...cl, resource: 'cpu', unit: 'core' }, cpuReq);
      const running = status.containerStatuses?.find((s) => s.name === c.name)?.state?.running;
      if (usage && running) {
        const ml = { namespace, pod: name, container: c.name, image: c.image ?? '' };
        f.mem.add(ml, usage.rssBytes);
        f.rss.add(ml, usage.rssBytes);
        f.cpu.add({ ...ml, cpu: 'total' }, usage.cpuSeconds);
        if (memLimit !== undefined) f.memLimit.add(ml, memLimit);
      }
    }
  }

  for (const d of ofKind(src.objects('Deployment'), 'Deployment')) {
    const l = { namespace: d.metadata.namespace ?? 'default', deployment: d.metadata.name };
    const st = d.status ?? {};
    f.specReplicas.add(l, d.spec?.replicas ?? 1);
    f.replicas.add(l, st.replicas ?? 0);
    f.available.add(l, st.availableReplicas ?? 0);
    f.unavailable.add(l, st.unavailableReplicas ?? 0);
    f.updated.add(l, st.updatedReplicas ?? 0);
    f.readyReplicas.add(l, st.readyReplicas ?? 0);
    f.generation.add(l, d.metadata.generation ?? 1);
    f.observed.add(l, st.observedGeneration ?? 0);
  }
  return Object.values(f)
    .map((x) => x.text())
    .join('');
}

/** Serves renderKubeState on 127.0.0.1:<port>/metrics for the local Prometheus to scrape. */
export class KubeStateExporter {
  private server: Server | undefined;
  port = 0;

  constructor(private readonly src: KubeStateSource) {}

  async start(host = '127.0.0.1'): Promise<void> {
    const server = createServer((req, res) => {
      if (req.url !== '/metrics') {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(renderKubeState(this.src));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, host, () => resolve());
    });
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    // Prometheus keeps its scrape connection alive; close() alone would wait for it.
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}
