import type { KubeObject } from '../../kube/kube-object.js';
import { containerStatusesOf, isPodFinished } from '../../kube/pod-status.js';
import { asPod, ofKind, type CronJob, type Job } from '../../kube/typed-objects.js';
import type { Clock } from '../../util/clock.js';
import {
  byCreation,
  controlledBy,
  isActivePod,
  isControlledBy,
  podFromTemplate,
  type PodLifecycle,
} from './controller-support.js';
import type { EventRecorder } from './event-recorder.js';
import { generateName } from './names.js';
import type { ObjectStore } from './object-store.js';
import { kubeTime } from '../../kube/kube-time.js';

/** The finalizer a Job's pods carry until the job controller has counted them. */
export const JOB_TRACKING_FINALIZER = 'batch.kubernetes.io/job-tracking';
export const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name';
export const CONTROLLER_UID_LABEL = 'batch.kubernetes.io/controller-uid';
const COMPONENT = 'job-controller';

type JobStatus = NonNullable<Job['status']>;
type JobCondition = NonNullable<JobStatus['conditions']>[number];

/**
 * What the API server fills in when a Job is created (SetDefaults_Job and the job strategy's generated
 * selector): completions and parallelism 1 when neither is set, backoffLimit 6, the selector on the
 * controller uid and the job-name/controller-uid labels on the pod template (legacy and batch.kubernetes.io
 * forms), the template's labels as the Job's own when it has none.
 */
export function defaultJob(job: Job, uid: string): Job {
  const j = structuredClone(job);
  j.metadata.uid = uid;
  const spec = j.spec;
  if (!spec) return j;
  if (spec.completions === undefined && spec.parallelism === undefined) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  spec.parallelism ??= 1;
  spec.backoffLimit ??= 6;
  spec.completionMode ??= 'NonIndexed';
  spec.suspend ??= false;
  spec.podReplacementPolicy ??= 'TerminatingOrFailed';
  if (!j.metadata.labels || Object.keys(j.metadata.labels).length === 0) {
    const own = spec.template.metadata?.labels;
    if (own && Object.keys(own).length > 0) j.metadata.labels = { ...own };
  }
  if (!spec.manualSelector) {
    spec.manualSelector = false;
    const labels = { ...(spec.template.metadata?.labels ?? {}) };
    labels['job-name'] ??= j.metadata.name;
    labels[JOB_NAME_LABEL] ??= j.metadata.name;
    labels['controller-uid'] ??= uid;
    labels[CONTROLLER_UID_LABEL] ??= uid;
    spec.template = { ...spec.template, metadata: { ...(spec.template.metadata ?? {}), labels } };
    spec.selector = {
      ...(spec.selector ?? {}),
      matchLabels: { ...(spec.selector?.matchLabels ?? {}), [CONTROLLER_UID_LABEL]: uid },
    };
  }
  return j;
}

/** What the API server fills in on a CronJob (SetDefaults_CronJob). */
export function defaultCronJob(cron: CronJob): CronJob {
  const c = structuredClone(cron);
  if (!c.spec) return c;
  c.spec.concurrencyPolicy ??= 'Allow';
  c.spec.suspend ??= false;
  c.spec.successfulJobsHistoryLimit ??= 3;
  c.spec.failedJobsHistoryLimit ??= 1;
  return c;
}

const finishedCondition = (job: Job): JobCondition | undefined =>
  job.status?.conditions?.find((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');

const interimCondition = (job: Job): JobCondition | undefined =>
  job.status?.conditions?.find(
    (c) => (c.type === 'SuccessCriteriaMet' || c.type === 'FailureTarget') && c.status === 'True',
  );

export const isJobFinished = (job: Job): boolean => finishedCondition(job) !== undefined;

/**
 * The Job controller (pkg/controller/job), for NonIndexed Jobs: runs the pod template until `completions`
 * pods have succeeded, `parallelism` at a time, in pods named `<job>-<5 chars>`; replaces failed pods after
 * a back-off until `backoffLimit` (with restartPolicy OnFailure the kubelet restarts the container in place
 * and its restarts count instead); fails the Job past `activeDeadlineSeconds`. Pods carry the
 * job-tracking finalizer until counted in `status`, and finished pods stay until the Job is deleted.
 */
export class JobController {
  /** When each Job last saw a pod fail (job uid → ms): the back-off before the next pod counts from it. */
  private readonly lastFailure = new Map<string, number>();

  constructor(
    private readonly store: ObjectStore,
    private readonly events: EventRecorder,
    private readonly pods: PodLifecycle,
    private readonly clock: Clock,
    private readonly backoff: { initialMs: number; maxMs: number },
    private readonly random?: (max: number) => number,
  ) {}

  reconcileAll(): void {
    const jobs = ofKind(this.store.list('Job'), 'Job');
    for (const job of jobs) this.reconcile(job);
    // Pods whose Job is gone are nobody's to count: let them go (the controller's orphan handling).
    const uids = new Set(jobs.map((j) => j.metadata.uid));
    for (const pod of this.store.list('Pod')) {
      const ref = pod.metadata.ownerReferences?.find((o) => o.controller && o.kind === 'Job');
      if (ref && !uids.has(ref.uid) && pod.metadata.finalizers?.includes(JOB_TRACKING_FINALIZER))
        this.release(pod);
    }
  }

  reconcile(job: Job): void {
    const spec = job.spec;
    if (!spec?.template.spec || spec.suspend) return;
    const ns = job.metadata.namespace ?? 'default';
    const uid = job.metadata.uid ?? '';
    const now = this.clock.now();
    const nowIso = kubeTime(now);
    const status: JobStatus = structuredClone(job.status ?? {});
    status.startTime ??= nowIso;
    let succeeded = status.succeeded ?? 0;
    let failed = status.failed ?? 0;

    // Count the pods that finished since the last pass, then let them go.
    const pods = controlledBy(this.store, 'Pod', job);
    for (const p of pods) {
      const phase = asPod(p)?.status?.phase;
      if (!p.metadata.finalizers?.includes(JOB_TRACKING_FINALIZER)) continue;
      if (phase === 'Succeeded') succeeded++;
      else if (phase === 'Failed') {
        failed++;
        this.lastFailure.set(uid, now);
      } else continue;
      this.release(p);
    }
    const active = pods.filter((p) => isActivePod(p, this.pods));
    const uncounted = controlledBy(this.store, 'Pod', job).filter((p) =>
      p.metadata.finalizers?.includes(JOB_TRACKING_FINALIZER),
    );

    let conditions = status.conditions ?? [];
    if (!finishedCondition(job) && !interimCondition(job)) {
      const target = this.verdict(job, { succeeded, failed, active, now, startTime: status.startTime });
      if (target) {
        conditions = [...conditions, this.condition(target.type, target.reason, target.message, nowIso)];
        // A finished Job keeps no pod running, whichever way it finished.
        for (const p of active) this.deletePod(job, p);
      } else {
        this.managePods(job, succeeded, failed, active, now);
      }
    }
    const interim = conditions.find(
      (c) => (c.type === 'SuccessCriteriaMet' || c.type === 'FailureTarget') && c.status === 'True',
    );
    // The final condition waits until every pod is counted, so the counts it reports are final.
    const stillActive = controlledBy(this.store, 'Pod', job).filter((p) => isActivePod(p, this.pods));
    if (interim && !finishedCondition(job) && uncounted.length === 0 && stillActive.length === 0) {
      const success = interim.type === 'SuccessCriteriaMet';
      conditions = [
        ...conditions,
        this.condition(success ? 'Complete' : 'Failed', interim.reason ?? '', interim.message ?? '', nowIso),
      ];
      if (success) {
        status.completionTime = nowIso;
        this.events.record(job, 'Normal', 'Completed', 'Job completed', COMPONENT);
      } else {
        this.events.record(job, 'Warning', interim.reason ?? 'Failed', interim.message ?? '', COMPONENT);
      }
    }
    const current = controlledBy(this.store, 'Pod', job).filter((p) => isActivePod(p, this.pods));
    const ready = current.filter((p) => this.pods.isReady(ns, p.metadata.name)).length;
    const terminating = controlledBy(this.store, 'Pod', job).filter(
      (p) => !!p.metadata.deletionTimestamp && !isPodFinished(p),
    ).length;
    // Field order and omitted zeros as the API serializes JobStatus.
    const next: JobStatus = {
      ...(conditions.length ? { conditions } : {}),
      startTime: status.startTime,
      ...(status.completionTime ? { completionTime: status.completionTime } : {}),
      ...(current.length ? { active: current.length } : {}),
      ...(succeeded ? { succeeded } : {}),
      ...(failed ? { failed } : {}),
      terminating,
      uncountedTerminatedPods: {},
      ready,
    };
    this.store.updateStatus('Job', ns, job.metadata.name, next);
  }

  /** Whether the Job has finished, and how: success first, then the back-off limit, then the deadline. */
  private verdict(
    job: Job,
    {
      succeeded,
      failed,
      active,
      now,
      startTime,
    }: {
      succeeded: number;
      failed: number;
      active: KubeObject[];
      now: number;
      startTime: string;
    },
  ): { type: string; reason: string; message: string } | undefined {
    const spec = job.spec;
    const completions = spec?.completions;
    const done = completions !== undefined ? succeeded >= completions : succeeded > 0 && active.length === 0;
    if (done)
      return {
        type: 'SuccessCriteriaMet',
        reason: 'CompletionsReached',
        message: 'Reached expected number of succeeded pods',
      };
    const limit = spec?.backoffLimit ?? 6;
    if (failed > limit || this.pastBackoffLimitOnFailure(job, active, limit))
      return {
        type: 'FailureTarget',
        reason: 'BackoffLimitExceeded',
        message: 'Job has reached the specified backoff limit',
      };
    const deadline = spec?.activeDeadlineSeconds;
    const started = Date.parse(startTime);
    if (deadline !== undefined && Number.isFinite(started) && now - started >= deadline * 1000)
      return {
        type: 'FailureTarget',
        reason: 'DeadlineExceeded',
        message: 'Job was active longer than specified deadline',
      };
    return undefined;
  }

  /** With restartPolicy OnFailure the failures are container restarts in the Job's running pods. */
  private pastBackoffLimitOnFailure(job: Job, active: KubeObject[], limit: number): boolean {
    if (job.spec?.template.spec?.restartPolicy !== 'OnFailure') return false;
    const restarts = active.reduce(
      (n, p) => n + containerStatusesOf(p).reduce((m, c) => m + (c.restartCount ?? 0), 0),
      0,
    );
    return limit === 0 ? restarts > 0 : restarts >= limit;
  }

  /** As many pods running as parallelism and the completions still missing call for. */
  private managePods(job: Job, succeeded: number, failed: number, active: KubeObject[], now: number): void {
    const spec = job.spec;
    const ns = job.metadata.namespace ?? 'default';
    const parallelism = spec?.parallelism ?? 1;
    const completions = spec?.completions;
    const want =
      completions !== undefined
        ? Math.max(0, Math.min(parallelism, completions - succeeded))
        : succeeded > 0
          ? 0
          : parallelism;
    if (active.length < want) {
      // After a failure the next pod waits 10 s, 20 s, 40 s... (DefaultJobPodFailureBackOff).
      const last = this.lastFailure.get(job.metadata.uid ?? '');
      if (failed > 0 && last !== undefined) {
        const delay = Math.min(this.backoff.initialMs * 2 ** (failed - 1), this.backoff.maxMs);
        if (now < last + delay) return;
      }
      for (let i = active.length; i < want; i++) {
        const name = generateName(job.metadata.name, (n) => !!this.store.get('Pod', ns, n), this.random);
        // Recorded as the create returns, before the scheduler and kubelet see the pod.
        this.events.record(job, 'Normal', 'SuccessfulCreate', `Created pod: ${name}`, COMPONENT);
        this.pods.createPod(
          podFromTemplate(spec?.template, job, name, { finalizers: [JOB_TRACKING_FINALIZER] }),
        );
      }
    } else if (active.length > want) {
      for (const p of [...active].sort((a, b) => byCreation(b, a)).slice(0, active.length - want))
        this.deletePod(job, p);
    }
  }

  private deletePod(job: Job, pod: KubeObject): void {
    this.events.record(job, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`, COMPONENT);
    this.pods.deletePod(job.metadata.namespace ?? 'default', pod.metadata.name);
  }

  /** Drop the tracking finalizer; a pod already being deleted then goes (the store owner removes it). */
  private release(pod: KubeObject): void {
    const current = this.store.get('Pod', pod.metadata.namespace, pod.metadata.name);
    if (!current) return;
    const rest = (current.metadata.finalizers ?? []).filter((f) => f !== JOB_TRACKING_FINALIZER);
    if (rest.length > 0) current.metadata.finalizers = rest;
    else delete current.metadata.finalizers;
    this.store.apply(current);
  }

  private condition(type: string, reason: string, message: string, now: string): JobCondition {
    return { type, status: 'True', lastProbeTime: now, lastTransitionTime: now, reason, message };
  }
}

/**
 * The part of the CronJob controller a Job started by hand meets (the schedule itself is not run): the
 * CronJob warns about an unfinished Job it did not create, records the last successful completion, and
 * keeps only successfulJobsHistoryLimit / failedJobsHistoryLimit finished Jobs.
 */
export class CronJobController {
  private readonly warned = new Set<string>();

  constructor(
    private readonly store: ObjectStore,
    private readonly events: EventRecorder,
  ) {}

  reconcileAll(deleteJob: (ns: string, name: string) => void): void {
    for (const cron of ofKind(this.store.list('CronJob'), 'CronJob')) this.reconcile(cron, deleteJob);
  }

  private reconcile(cron: CronJob, deleteJob: (ns: string, name: string) => void): void {
    const ns = cron.metadata.namespace ?? 'default';
    const jobs = ofKind(this.store.list('Job', ns), 'Job').filter((j) => isControlledBy(j, cron));
    const active = new Set((cron.status?.active ?? []).map((r) => r.uid));
    let lastSuccessful = cron.status?.lastSuccessfulTime;
    for (const j of jobs) {
      const uid = j.metadata.uid ?? '';
      if (!isJobFinished(j)) {
        if (!active.has(uid) && !this.warned.has(uid)) {
          this.warned.add(uid);
          this.events.record(
            cron,
            'Warning',
            'UnexpectedJob',
            `Saw a job that the controller did not create or forgot: ${j.metadata.name}`,
            'cronjob-controller',
          );
        }
        continue;
      }
      const done = j.status?.completionTime;
      if (finishedCondition(j)?.type === 'Complete' && done && (!lastSuccessful || done > lastSuccessful))
        lastSuccessful = done;
    }
    if (lastSuccessful !== cron.status?.lastSuccessfulTime)
      this.store.updateStatus('CronJob', ns, cron.metadata.name, {
        ...(cron.status ?? {}),
        lastSuccessfulTime: lastSuccessful,
      });
    const finished = (type: string): Job[] =>
      jobs
        .filter((j) => finishedCondition(j)?.type === type)
        .sort((a, b) => (a.status?.startTime ?? '').localeCompare(b.status?.startTime ?? ''));
    const prune = (list: Job[], limit: number | undefined): void => {
      for (const j of list.slice(0, Math.max(0, list.length - (limit ?? list.length)))) {
        deleteJob(ns, j.metadata.name);
        this.events.record(
          cron,
          'Normal',
          'SuccessfulDelete',
          `Deleted job ${j.metadata.name}`,
          'cronjob-controller',
        );
      }
    };
    prune(finished('Complete'), cron.spec?.successfulJobsHistoryLimit);
    prune(finished('Failed'), cron.spec?.failedJobsHistoryLimit);
  }
}
