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

/** kube_pod_status_phase's series, in kube-state-metrics' order. */
const PHASES = ['Pending', 'Succeeded', 'Failed', 'Unknown', 'Running'];
const CONDITION_STATUSES = ['true', 'false', 'unknown'];
/** The Job failure reasons kube_job_status_failed names (jobFailureReasons). */
const JOB_FAILURE_REASONS = ['BackoffLimitExceeded', 'DeadlineExceeded', 'Evicted'];

const unix = (iso: string | undefined): number | undefined => {
  const ms = iso ? Date.parse(iso) : NaN;
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : undefined;
};

/** One series per owner (owner_kind, owner_name, owner_is_controller), or one with empty values. */
function addOwners(family: Family, base: Labels, obj: KubeObject): void {
  const owners = obj.metadata.ownerReferences ?? [];
  if (owners.length === 0)
    family.add({ ...base, owner_kind: '', owner_name: '', owner_is_controller: '' }, 1);
  for (const o of owners)
    family.add(
      { ...base, owner_kind: o.kind, owner_name: o.name, owner_is_controller: String(o.controller ?? false) },
      1,
    );
}

/** The true/false/unknown triple kube-state-metrics gives a condition (addConditionMetrics). */
function addCondition(family: Family, base: Labels, status: string): void {
  for (const c of CONDITION_STATUSES)
    family.add({ ...base, condition: c }, status.toLowerCase() === c ? 1 : 0);
}

/**
 * The series kube-state-metrics v2.18 (`state`) and the kubelet's cAdvisor endpoint (`cadvisor`) publish,
 * with their label sets, computed from the local substrate's objects and process statistics, so the same alert rules
 * and the same evidence serve local and Kubernetes runs.
 */
export function renderKubeState(src: KubeStateSource, part: 'state' | 'cadvisor' | 'all' = 'all'): string {
  const fam = (name: string, type: 'gauge' | 'counter', help: string): Family => new Family(name, type, help);
  const f = {
    podInfo: fam('kube_pod_info', 'gauge', 'Information about pod.'),
    podOwner: fam('kube_pod_owner', 'gauge', "Information about the Pod's owner."),
    podCreated: fam('kube_pod_created', 'gauge', 'Unix creation timestamp'),
    phase: fam('kube_pod_status_phase', 'gauge', 'The pods current phase.'),
    ready: fam('kube_pod_status_ready', 'gauge', 'Describes whether the pod is ready to serve requests.'),
    restarts: fam(
      'kube_pod_container_status_restarts_total',
      'counter',
      'The number of container restarts per container.',
    ),
    cReady: fam(
      'kube_pod_container_status_ready',
      'gauge',
      'Describes whether the containers readiness check succeeded.',
    ),
    running: fam(
      'kube_pod_container_status_running',
      'gauge',
      'Describes whether the container is currently in running state.',
    ),
    waiting: fam(
      'kube_pod_container_status_waiting',
      'gauge',
      'Describes whether the container is currently in waiting state.',
    ),
    waitingReason: fam(
      'kube_pod_container_status_waiting_reason',
      'gauge',
      'Describes the reason the container is currently in waiting state.',
    ),
    terminated: fam(
      'kube_pod_container_status_terminated',
      'gauge',
      'Describes whether the container is currently in terminated state.',
    ),
    terminatedReason: fam(
      'kube_pod_container_status_terminated_reason',
      'gauge',
      'Describes the reason the container is currently in terminated state.',
    ),
    lastTerminatedReason: fam(
      'kube_pod_container_status_last_terminated_reason',
      'gauge',
      'Describes the last reason the container was in terminated state.',
    ),
    limits: fam(
      'kube_pod_container_resource_limits',
      'gauge',
      'The number of requested limit resource by a container. It is recommended to use the kube_pod_resource_limits metric exposed by kube-scheduler instead, as it is more precise.',
    ),
    requests: fam(
      'kube_pod_container_resource_requests',
      'gauge',
      'The number of requested request resource by a container. It is recommended to use the kube_pod_resource_requests metric exposed by kube-scheduler instead, as it is more precise.',
    ),
    specReplicas: fam('kube_deployment_spec_replicas', 'gauge', 'Number of desired pods for a deployment.'),
    replicas: fam('kube_deployment_status_replicas', 'gauge', 'The number of replicas per deployment.'),
    available: fam(
      'kube_deployment_status_replicas_available',
      'gauge',
      'The number of available replicas per deployment.',
    ),
    unavailable: fam(
      'kube_deployment_status_replicas_unavailable',
      'gauge',
      'The number of unavailable replicas per deployment.',
    ),
    updated: fam(
      'kube_deployment_status_replicas_updated',
      'gauge',
      'The number of updated replicas per deployment.',
    ),
    readyReplicas: fam(
      'kube_deployment_status_replicas_ready',
      'gauge',
      'The number of ready replicas per deployment.',
    ),
    generation: fam(
      'kube_deployment_metadata_generation',
      'gauge',
      'Sequence number representing a specific generation of the desired state.',
    ),
    observed: fam(
      'kube_deployment_status_observed_generation',
      'gauge',
      'The generation observed by the deployment controller.',
    ),
    deploymentCreated: fam('kube_deployment_created', 'gauge', 'Unix creation timestamp'),
    rsCreated: fam('kube_replicaset_created', 'gauge', 'Unix creation timestamp'),
    rsReplicas: fam('kube_replicaset_status_replicas', 'gauge', 'The number of replicas per ReplicaSet.'),
    rsLabeled: fam(
      'kube_replicaset_status_fully_labeled_replicas',
      'gauge',
      'The number of fully labeled replicas per ReplicaSet.',
    ),
    rsReady: fam(
      'kube_replicaset_status_ready_replicas',
      'gauge',
      'The number of ready replicas per ReplicaSet.',
    ),
    rsObserved: fam(
      'kube_replicaset_status_observed_generation',
      'gauge',
      'The generation observed by the ReplicaSet controller.',
    ),
    rsSpec: fam('kube_replicaset_spec_replicas', 'gauge', 'Number of desired pods for a ReplicaSet.'),
    rsGeneration: fam(
      'kube_replicaset_metadata_generation',
      'gauge',
      'Sequence number representing a specific generation of the desired state.',
    ),
    rsOwner: fam('kube_replicaset_owner', 'gauge', "Information about the ReplicaSet's owner."),
    jobInfo: fam('kube_job_info', 'gauge', 'Information about job.'),
    jobCreated: fam('kube_job_created', 'gauge', 'Unix creation timestamp'),
    jobParallelism: fam(
      'kube_job_spec_parallelism',
      'gauge',
      'The maximum desired number of pods the job should run at any given time.',
    ),
    jobCompletions: fam(
      'kube_job_spec_completions',
      'gauge',
      'The desired number of successfully finished pods the job should be run with.',
    ),
    jobDeadline: fam(
      'kube_job_spec_active_deadline_seconds',
      'gauge',
      'The duration in seconds relative to the startTime that the job may be active before the system tries to terminate it.',
    ),
    jobSucceeded: fam(
      'kube_job_status_succeeded',
      'gauge',
      'The number of pods which reached Phase Succeeded.',
    ),
    jobFailed: fam(
      'kube_job_status_failed',
      'gauge',
      'The number of pods which reached Phase Failed and the reason for failure.',
    ),
    jobActive: fam('kube_job_status_active', 'gauge', 'The number of actively running pods.'),
    jobReady: fam('kube_job_status_ready', 'gauge', 'The number of ready pods that belong to this Job.'),
    jobComplete: fam('kube_job_complete', 'gauge', 'The job has completed its execution.'),
    jobFailedCond: fam('kube_job_failed', 'gauge', 'The job has failed its execution.'),
    jobStart: fam(
      'kube_job_status_start_time',
      'gauge',
      'StartTime represents time when the job was acknowledged by the Job Manager.',
    ),
    jobCompletion: fam(
      'kube_job_status_completion_time',
      'gauge',
      'CompletionTime represents time when the job was completed.',
    ),
    jobOwner: fam('kube_job_owner', 'gauge', "Information about the Job's owner."),
    cronInfo: fam('kube_cronjob_info', 'gauge', 'Info about cronjob.'),
    cronCreated: fam('kube_cronjob_created', 'gauge', 'Unix creation timestamp'),
    cronActive: fam(
      'kube_cronjob_status_active',
      'gauge',
      'Active holds pointers to currently running jobs.',
    ),
    cronLastSuccess: fam(
      'kube_cronjob_status_last_successful_time',
      'gauge',
      'LastSuccessfulTime keeps information of when was the last time the job was completed successfully.',
    ),
    cronSuspend: fam(
      'kube_cronjob_spec_suspend',
      'gauge',
      'Suspend flag tells the controller to suspend subsequent executions.',
    ),
    cronVersion: fam(
      'kube_cronjob_metadata_resource_version',
      'gauge',
      'Resource version representing a specific version of the cronjob.',
    ),
    cronSuccessLimit: fam(
      'kube_cronjob_spec_successful_job_history_limit',
      'gauge',
      'Successful job history limit tells the controller how many completed jobs should be preserved.',
    ),
    cronFailedLimit: fam(
      'kube_cronjob_spec_failed_job_history_limit',
      'gauge',
      'Failed job history limit tells the controller how many failed jobs should be preserved.',
    ),
    mem: fam('container_memory_working_set_bytes', 'gauge', 'Current working set of the container in bytes'),
    rss: fam('container_memory_rss', 'gauge', 'Size of RSS in bytes.'),
    cpu: fam('container_cpu_usage_seconds_total', 'counter', 'Cumulative cpu time consumed in seconds.'),
    memLimit: fam('container_spec_memory_limit_bytes', 'gauge', 'Memory limit for the container.'),
  };

  for (const pod of ofKind(src.objects('Pod'), 'Pod')) {
    const namespace = pod.metadata.namespace ?? 'default';
    const name = pod.metadata.name;
    const base = { namespace, pod: name, uid: pod.metadata.uid ?? '' };
    const controller = pod.metadata.ownerReferences?.find((o) => o.controller);
    const status = pod.status ?? {};
    const node = pod.spec?.nodeName ?? '';
    f.podInfo.add(
      {
        ...base,
        host_ip: status.hostIP ?? '',
        pod_ip: status.podIP ?? '',
        node,
        created_by_kind: controller?.kind ?? '',
        created_by_name: controller?.name ?? '',
        priority_class: pod.spec?.priorityClassName ?? '',
        host_network: String(pod.spec?.hostNetwork ?? false),
      },
      1,
    );
    addOwners(f.podOwner, base, pod);
    const created = unix(pod.metadata.creationTimestamp);
    if (created !== undefined) f.podCreated.add(base, created);
    if (status.phase)
      for (const ph of PHASES) f.phase.add({ ...base, phase: ph }, status.phase === ph ? 1 : 0);
    const readyCond = status.conditions?.find((c) => c.type === 'Ready');
    if (readyCond) addCondition(f.ready, base, readyCond.status);
    for (const cs of status.containerStatuses ?? []) {
      const cl = { ...base, container: cs.name };
      f.restarts.add(cl, cs.restartCount);
      f.cReady.add(cl, cs.ready ? 1 : 0);
      f.running.add(cl, cs.state?.running ? 1 : 0);
      f.waiting.add(cl, cs.state?.waiting ? 1 : 0);
      f.terminated.add(cl, cs.state?.terminated ? 1 : 0);
      const wr = cs.state?.waiting?.reason;
      if (cs.state?.waiting) f.waitingReason.add({ ...cl, reason: wr ?? '' }, 1);
      if (cs.state?.terminated)
        f.terminatedReason.add({ ...cl, reason: cs.state.terminated.reason ?? '' }, 1);
      const last = cs.lastState?.terminated;
      if (last) f.lastTerminatedReason.add({ ...cl, reason: last.reason ?? '' }, 1);
    }
    const usage = src.usage(namespace, name);
    for (const c of containersOf(pod.spec)) {
      const cl = { ...base, container: c.name, node };
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
    const created = unix(d.metadata.creationTimestamp);
    if (created !== undefined) f.deploymentCreated.add(l, created);
    f.specReplicas.add(l, d.spec?.replicas ?? 1);
    f.replicas.add(l, st.replicas ?? 0);
    f.available.add(l, st.availableReplicas ?? 0);
    f.unavailable.add(l, st.unavailableReplicas ?? 0);
    f.updated.add(l, st.updatedReplicas ?? 0);
    f.readyReplicas.add(l, st.readyReplicas ?? 0);
    f.generation.add(l, d.metadata.generation ?? 1);
    f.observed.add(l, st.observedGeneration ?? 0);
  }

  for (const rs of ofKind(src.objects('ReplicaSet'), 'ReplicaSet')) {
    const l = { namespace: rs.metadata.namespace ?? 'default', replicaset: rs.metadata.name };
    const st = rs.status ?? { replicas: 0 };
    const created = unix(rs.metadata.creationTimestamp);
    if (created !== undefined) f.rsCreated.add(l, created);
    f.rsReplicas.add(l, st.replicas);
    f.rsLabeled.add(l, st.fullyLabeledReplicas ?? 0);
    f.rsReady.add(l, st.readyReplicas ?? 0);
    f.rsObserved.add(l, st.observedGeneration ?? 0);
    if (rs.spec?.replicas !== undefined) f.rsSpec.add(l, rs.spec.replicas);
    f.rsGeneration.add(l, rs.metadata.generation ?? 1);
    addOwners(f.rsOwner, l, rs);
  }

  for (const job of ofKind(src.objects('Job'), 'Job')) {
    const l = { namespace: job.metadata.namespace ?? 'default', job_name: job.metadata.name };
    const st = job.status ?? {};
    f.jobInfo.add(l, 1);
    const created = unix(job.metadata.creationTimestamp);
    if (created !== undefined) f.jobCreated.add(l, created);
    if (job.spec?.parallelism !== undefined) f.jobParallelism.add(l, job.spec.parallelism);
    if (job.spec?.completions !== undefined) f.jobCompletions.add(l, job.spec.completions);
    if (job.spec?.activeDeadlineSeconds !== undefined) f.jobDeadline.add(l, job.spec.activeDeadlineSeconds);
    f.jobSucceeded.add(l, st.succeeded ?? 0);
    const failed = st.failed ?? 0;
    if (failed === 0) f.jobFailed.add(l, 0);
    else {
      let known = false;
      for (const c of st.conditions ?? []) {
        if (c.type !== 'Failed') continue;
        for (const reason of JOB_FAILURE_REASONS) {
          known ||= c.reason === reason;
          f.jobFailed.add({ ...l, reason }, c.reason === reason ? 1 : 0);
        }
      }
      if (!known) f.jobFailed.add({ ...l, reason: '' }, failed);
    }
    f.jobActive.add(l, st.active ?? 0);
    f.jobReady.add(l, st.ready ?? 0);
    for (const c of st.conditions ?? []) {
      if (c.type === 'Complete') addCondition(f.jobComplete, l, c.status);
      if (c.type === 'Failed') addCondition(f.jobFailedCond, l, c.status);
    }
    const start = unix(st.startTime);
    if (start !== undefined) f.jobStart.add(l, start);
    const done = unix(st.completionTime);
    if (done !== undefined) f.jobCompletion.add(l, done);
    addOwners(f.jobOwner, l, job);
  }

  for (const cron of ofKind(src.objects('CronJob'), 'CronJob')) {
    const l = { namespace: cron.metadata.namespace ?? 'default', cronjob: cron.metadata.name };
    const spec = cron.spec;
    f.cronInfo.add(
      {
        ...l,
        schedule: spec?.schedule ?? '',
        concurrency_policy: spec?.concurrencyPolicy ?? '',
        timezone: spec?.timeZone ?? 'local',
      },
      1,
    );
    const created = unix(cron.metadata.creationTimestamp);
    if (created !== undefined) f.cronCreated.add(l, created);
    f.cronActive.add(l, cron.status?.active?.length ?? 0);
    const last = unix(cron.status?.lastSuccessfulTime);
    if (last !== undefined) f.cronLastSuccess.add(l, last);
    f.cronSuspend.add(l, spec?.suspend ? 1 : 0);
    const version = Number(cron.metadata.resourceVersion);
    if (Number.isFinite(version)) f.cronVersion.add(l, version);
    if (spec?.successfulJobsHistoryLimit !== undefined)
      f.cronSuccessLimit.add(l, spec.successfulJobsHistoryLimit);
    if (spec?.failedJobsHistoryLimit !== undefined) f.cronFailedLimit.add(l, spec.failedJobsHistoryLimit);
  }
  return Object.entries(f)
    .filter(([key]) => part === 'all' || CADVISOR_FAMILIES.has(key) === (part === 'cadvisor'))
    .map(([, x]) => x.text())
    .join('');
}

/** The container series a kubelet's cAdvisor serves (`/metrics/cadvisor`), not kube-state-metrics. */
const CADVISOR_FAMILIES = new Set(['mem', 'rss', 'cpu', 'memLimit']);

/** Where a kubelet serves its cAdvisor's container series. */
export const CADVISOR_PATH = '/metrics/cadvisor';

/**
 * Serves renderKubeState on 127.0.0.1:<port> for the local Prometheus to scrape: kube-state-metrics'
 * series on /metrics, the containers' usage on /metrics/cadvisor (scraped as the kubelet job, as in a
 * cluster).
 */
export class KubeStateExporter {
  private server: Server | undefined;
  port = 0;

  constructor(private readonly src: KubeStateSource) {}

  async start(host = '127.0.0.1'): Promise<void> {
    const server = createServer((req, res) => {
      const part = req.url === '/metrics' ? 'state' : req.url === CADVISOR_PATH ? 'cadvisor' : undefined;
      if (!part) {
        res.writeHead(404).end();
        return;
      }
      res
        .writeHead(200, { 'content-type': 'text/plain; version=0.0.4' })
        .end(renderKubeState(this.src, part));
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
