import { kubeTime } from '../../kube/kube-time.js';
import type { KubeObject } from '../../kube/kube-object.js';
import { podPhaseOf } from '../../kube/pod-status.js';
import {
  asCronJob,
  asJob,
  ofKind,
  type Deployment,
  type Job,
  type Pod,
  type ReplicaSet,
} from '../../kube/typed-objects.js';
import { ManualClock } from '../../util/manual-clock.js';
import type { PodLifecycle } from './controller-support.js';
import { DeploymentController } from './deployment-controller.js';
import { EventRecorder } from './event-recorder.js';
import {
  CronJobController,
  defaultCronJob,
  defaultJob,
  JobController,
  JOB_TRACKING_FINALIZER,
} from './job-controller.js';
import { ObjectStore } from './object-store.js';
import { ReplicaSetController } from './replicaset-controller.js';

const POD_NAME = (rs: string): RegExp => new RegExp(`^${rs}-[bcdfghjklmnpqrstvwxz2456789]{5}$`);

/**
 * The kubelet as the controllers see it, driven by the test: pods become ready or finish when told to,
 * deletions are immediate unless a finalizer holds the pod (then it stays, marked, as the API server keeps it).
 */
class FakeKubelet implements PodLifecycle {
  readonly ready = new Set<string>();

  constructor(private readonly store: ObjectStore) {}

  createPod(pod: Pod): void {
    this.store.apply({ ...pod, spec: { containers: [], ...pod.spec, nodeName: 'worker-1' } });
    this.store.updateStatus('Pod', pod.metadata.namespace, pod.metadata.name, { phase: 'Pending' });
  }

  deletePod(namespace: string, name: string): void {
    const pod = this.store.get('Pod', namespace, name);
    if (!pod) return;
    this.ready.delete(`${namespace}/${name}`);
    if (pod.metadata.finalizers?.length) {
      pod.metadata.deletionTimestamp = new Date().toISOString();
      this.store.apply(pod);
      this.store.updateStatus('Pod', namespace, name, { phase: 'Failed' });
    } else this.store.delete('Pod', namespace, name);
  }

  isReady(namespace: string, name: string): boolean {
    return this.ready.has(`${namespace}/${name}`);
  }

  isTerminating(): boolean {
    return false;
  }

  /** Every pod of the namespace running and ready. */
  readyAll(ns = 'shop'): void {
    for (const p of this.store.list('Pod', ns)) {
      if (p.metadata.deletionTimestamp) continue;
      this.ready.add(`${ns}/${p.metadata.name}`);
      this.store.updateStatus('Pod', ns, p.metadata.name, { phase: 'Running' });
    }
  }

  finish(pod: KubeObject, phase: 'Succeeded' | 'Failed', restartCount = 0): void {
    this.ready.delete(`${pod.metadata.namespace}/${pod.metadata.name}`);
    this.store.updateStatus('Pod', pod.metadata.namespace, pod.metadata.name, {
      phase,
      containerStatuses: [
        {
          name: 'main',
          ready: false,
          restartCount,
          image: 'x',
          imageID: '',
          state: {
            terminated: {
              exitCode: phase === 'Succeeded' ? 0 : 1,
              reason: phase === 'Succeeded' ? 'Completed' : 'Error',
            },
          },
        },
      ],
    });
  }
}

function harness(): {
  store: ObjectStore;
  kubelet: FakeKubelet;
  clock: ManualClock;
  sync: () => void;
  events: (kind: string, name: string) => string[];
} {
  const clock = new ManualClock();
  const store = new ObjectStore(clock);
  const events = new EventRecorder(store, clock, 'worker-1');
  const kubelet = new FakeKubelet(store);
  const deployments = new DeploymentController(store, events, clock);
  const replicaSets = new ReplicaSetController(store, events, kubelet);
  const jobs = new JobController(store, events, kubelet, clock, { initialMs: 10_000, maxMs: 360_000 });
  const crons = new CronJobController(store, events);
  const sync = (): void => {
    // As the cluster's reconcile passes do, until nothing changes.
    for (let i = 0; i < 20; i++) {
      const before = store
        .all()
        .map((o) => o.metadata.resourceVersion)
        .join();
      replicaSets.reconcileAll();
      deployments.reconcileAll();
      replicaSets.reconcileAll();
      jobs.reconcileAll();
      crons.reconcileAll((ns, name) => store.delete('Job', ns, name));
      for (const p of store.list('Pod'))
        if (p.metadata.deletionTimestamp && !p.metadata.finalizers?.length)
          store.delete('Pod', p.metadata.namespace, p.metadata.name);
      if (
        store
          .all()
          .map((o) => o.metadata.resourceVersion)
          .join() === before
      )
        return;
    }
    throw new Error('controllers did not settle');
  };
  const eventsOf = (kind: string, name: string): string[] =>
    ofKind(store.list('Event'), 'Event')
      .filter((e) => e.involvedObject.kind === kind && e.involvedObject.name === name)
      .map((e) => `${e.reason}: ${e.message}`);
  return { store, kubelet, clock, sync, events: eventsOf };
}

function deployment(
  image = 'acme/shop:0.1.0',
  replicas = 2,
  extra: Partial<NonNullable<Deployment['spec']>> = {},
): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'cart', namespace: 'shop' },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'cart' } },
      template: { metadata: { labels: { app: 'cart' } }, spec: { containers: [{ name: 'cart', image }] } },
      ...extra,
    },
  };
}

const replicaSets = (store: ObjectStore): ReplicaSet[] =>
  ofKind(store.list('ReplicaSet', 'shop'), 'ReplicaSet');
const rsNamed = (store: ObjectStore, name: string): ReplicaSet | undefined =>
  replicaSets(store).find((r) => r.metadata.name === name);
const pods = (store: ObjectStore): KubeObject[] => store.list('Pod', 'shop');

describe('DeploymentController and ReplicaSetController', () => {
  it('creates a ReplicaSet per template with revision 1 and pods named as the ReplicaSet controller names them', () => {
    const { store, kubelet, sync, events } = harness();
    store.apply(deployment());
    sync();
    const [rs] = replicaSets(store);
    expect(rs.metadata.name).toMatch(/^cart-[4-9bcdf]{1,10}$/);
    const hash = rs.metadata.labels?.['pod-template-hash'];
    expect(rs.metadata.name).toBe(`cart-${hash}`);
    expect(rs.metadata.annotations).toEqual({
      'deployment.kubernetes.io/revision': '1',
      'deployment.kubernetes.io/desired-replicas': '2',
      'deployment.kubernetes.io/max-replicas': '3',
    });
    expect(rs.metadata.ownerReferences?.[0]).toMatchObject({
      kind: 'Deployment',
      name: 'cart',
      controller: true,
    });
    expect(rs.spec?.selector.matchLabels).toEqual({ app: 'cart', 'pod-template-hash': hash });
    const names = pods(store).map((p) => p.metadata.name);
    expect(names).toHaveLength(2);
    for (const n of names) expect(n).toMatch(POD_NAME(rs.metadata.name));
    expect(pods(store)[0]?.metadata).toMatchObject({
      generateName: `${rs.metadata.name}-`,
      labels: { app: 'cart', 'pod-template-hash': hash },
      ownerReferences: [{ kind: 'ReplicaSet', name: rs.metadata.name, controller: true }],
    });
    expect(store.get('Deployment', 'shop', 'cart')?.metadata.annotations).toEqual({
      'deployment.kubernetes.io/revision': '1',
    });
    expect(events('Deployment', 'cart')).toEqual([
      `ScalingReplicaSet: Scaled up replica set ${rs.metadata.name} from 0 to 2`,
    ]);
    expect(events('ReplicaSet', rs.metadata.name).sort()).toEqual(
      names.map((n) => `SuccessfulCreate: Created pod: ${n}`).sort(),
    );

    kubelet.readyAll();
    sync();
    const d = store.get('Deployment', 'shop', 'cart');
    expect(d?.status).toMatchObject({
      replicas: 2,
      updatedReplicas: 2,
      readyReplicas: 2,
      availableReplicas: 2,
    });
    expect(d?.status?.conditions).toEqual([
      expect.objectContaining({ type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable' }),
      expect.objectContaining({
        type: 'Progressing',
        status: 'True',
        reason: 'NewReplicaSetAvailable',
        message: `ReplicaSet "${rs.metadata.name}" has successfully progressed.`,
      }),
    ]);
  });

  it('replaces a deleted pod under a new name', () => {
    const { store, kubelet, sync } = harness();
    store.apply(deployment('acme/shop:0.1.0', 1));
    sync();
    const [first] = pods(store);
    kubelet.deletePod('shop', first.metadata.name);
    sync();
    const [second] = pods(store);
    expect(second.metadata.name).not.toBe(first.metadata.name);
    expect(second.metadata.name).toMatch(POD_NAME(replicaSets(store)[0].metadata.name));
  });

  it('rolls a new template out through a new ReplicaSet with the next revision, keeping the old one at zero', () => {
    const { store, kubelet, sync, events } = harness();
    store.apply(deployment());
    sync();
    kubelet.readyAll();
    sync();
    const [old] = replicaSets(store);
    const next = deployment('acme/shop:0.2.0');
    next.metadata.annotations = {
      'kubernetes.io/change-cause': 'kubectl set image deployment/cart cart=acme/shop:0.2.0',
    };
    store.apply(next);
    sync();
    const fresh = replicaSets(store).find((r) => r.metadata.name !== old.metadata.name);
    if (!fresh) throw new Error('no new ReplicaSet');
    // maxSurge 25% of 2 rounds up to 1, maxUnavailable rounds down to 0: one new pod, no old one gone yet.
    expect(fresh.spec?.replicas).toBe(1);
    expect(rsNamed(store, old.metadata.name)?.spec?.replicas).toBe(2);
    expect(fresh.metadata.annotations).toEqual({
      'kubernetes.io/change-cause': 'kubectl set image deployment/cart cart=acme/shop:0.2.0',
      'deployment.kubernetes.io/revision': '2',
      'deployment.kubernetes.io/desired-replicas': '2',
      'deployment.kubernetes.io/max-replicas': '3',
    });
    expect(store.get('Deployment', 'shop', 'cart')?.status?.conditions).toContainEqual(
      expect.objectContaining({ type: 'Progressing', reason: 'ReplicaSetUpdated' }),
    );
    for (let i = 0; i < 4; i++) {
      kubelet.readyAll();
      sync();
    }
    expect(rsNamed(store, old.metadata.name)?.spec?.replicas).toBe(0);
    expect(
      rsNamed(store, old.metadata.name)?.metadata.annotations?.['deployment.kubernetes.io/revision'],
    ).toBe('1');
    expect(rsNamed(store, fresh.metadata.name)?.spec?.replicas).toBe(2);
    expect(
      pods(store).every(
        (p) => p.metadata.labels?.['pod-template-hash'] === fresh.metadata.labels?.['pod-template-hash'],
      ),
    ).toBe(true);
    expect(
      store.get('Deployment', 'shop', 'cart')?.metadata.annotations?.['deployment.kubernetes.io/revision'],
    ).toBe('2');
    expect(events('Deployment', 'cart')).toEqual([
      `ScalingReplicaSet: Scaled up replica set ${old.metadata.name} from 0 to 2`,
      `ScalingReplicaSet: Scaled up replica set ${fresh.metadata.name} from 0 to 1`,
      `ScalingReplicaSet: Scaled down replica set ${old.metadata.name} from 2 to 1`,
      `ScalingReplicaSet: Scaled up replica set ${fresh.metadata.name} from 1 to 2`,
      `ScalingReplicaSet: Scaled down replica set ${old.metadata.name} from 1 to 0`,
    ]);
  });

  it('keeps the old pods serving while the new ones never become ready', () => {
    const { store, kubelet, sync } = harness();
    store.apply(deployment('acme/shop:0.1.0', 1));
    sync();
    kubelet.readyAll();
    sync();
    store.apply(deployment('acme/shop:broken', 1));
    sync();
    sync();
    expect(pods(store)).toHaveLength(2);
    expect(
      replicaSets(store)
        .map((r) => r.spec?.replicas)
        .sort(),
    ).toEqual([1, 1]);
    expect(store.get('Deployment', 'shop', 'cart')?.status).toMatchObject({
      availableReplicas: 1,
      updatedReplicas: 1,
    });
  });

  it('scales an old ReplicaSet back up with the next revision when the template returns to it (rollout undo)', () => {
    const { store, kubelet, sync, events } = harness();
    store.apply(deployment('acme/shop:0.1.0', 1));
    sync();
    kubelet.readyAll();
    sync();
    const [first] = replicaSets(store);
    store.apply(deployment('acme/shop:0.2.0', 1));
    for (let i = 0; i < 3; i++) {
      kubelet.readyAll();
      sync();
    }
    const second = replicaSets(store).find((r) => r.metadata.name !== first.metadata.name);
    store.apply(deployment('acme/shop:0.1.0', 1));
    for (let i = 0; i < 3; i++) {
      kubelet.readyAll();
      sync();
    }
    expect(replicaSets(store)).toHaveLength(2);
    const back = rsNamed(store, first.metadata.name);
    expect(back?.spec?.replicas).toBe(1);
    expect(back?.metadata.annotations).toMatchObject({
      'deployment.kubernetes.io/revision': '3',
      'deployment.kubernetes.io/revision-history': '1',
    });
    expect(rsNamed(store, second?.metadata.name ?? '')?.spec?.replicas).toBe(0);
    expect(
      store.get('Deployment', 'shop', 'cart')?.metadata.annotations?.['deployment.kubernetes.io/revision'],
    ).toBe('3');
    // The scale-up repeats the first rollout's event word for word, so it is folded into it (count 2).
    const scaledUp = ofKind(store.list('Event', 'shop'), 'Event').find(
      (e) => e.message === `Scaled up replica set ${first.metadata.name} from 0 to 1`,
    );
    expect(scaledUp?.count).toBe(2);
    expect(events('Deployment', 'cart').at(-1)).toBe(
      `ScalingReplicaSet: Scaled down replica set ${second?.metadata.name ?? ''} from 1 to 0`,
    );
  });

  it('keeps revisionHistoryLimit old ReplicaSets and deletes the oldest revisions', () => {
    const { store, kubelet, sync } = harness();
    for (let v = 1; v <= 5; v++) {
      store.apply(deployment(`acme/shop:0.${v}.0`, 1, { revisionHistoryLimit: 2 }));
      for (let i = 0; i < 3; i++) {
        kubelet.readyAll();
        sync();
      }
    }
    const revisions = replicaSets(store)
      .map((r) => Number(r.metadata.annotations?.['deployment.kubernetes.io/revision']))
      .sort();
    expect(revisions).toEqual([3, 4, 5]);
    expect(replicaSets(store).filter((r) => r.spec?.replicas === 0)).toHaveLength(2);
  });

  it('scales the current ReplicaSet and refreshes its replica annotations', () => {
    const { store, kubelet, sync, events } = harness();
    store.apply(deployment('acme/shop:0.1.0', 1));
    sync();
    kubelet.readyAll();
    sync();
    store.apply(deployment('acme/shop:0.1.0', 3));
    sync();
    const [rs] = replicaSets(store);
    expect(replicaSets(store)).toHaveLength(1);
    expect(rs.spec?.replicas).toBe(3);
    expect(rs.metadata.annotations).toMatchObject({
      'deployment.kubernetes.io/desired-replicas': '3',
      'deployment.kubernetes.io/max-replicas': '4',
      'deployment.kubernetes.io/revision': '1',
    });
    expect(pods(store)).toHaveLength(3);
    expect(events('Deployment', 'cart').at(-1)).toBe(
      `ScalingReplicaSet: Scaled up replica set ${rs.metadata.name} from 1 to 3`,
    );
    store.apply(deployment('acme/shop:0.1.0', 0));
    sync();
    expect(pods(store)).toHaveLength(0);
    expect(events('Deployment', 'cart').at(-1)).toBe(
      `ScalingReplicaSet: Scaled down replica set ${rs.metadata.name} from 3 to 0`,
    );
  });

  it('with Recreate scales the old ReplicaSet to zero and waits for its pods before creating the new one', () => {
    const { store, kubelet, sync } = harness();
    const recreate = { strategy: { type: 'Recreate' as const } };
    store.apply(deployment('acme/shop:0.1.0', 2, recreate));
    sync();
    kubelet.readyAll();
    sync();
    store.apply(deployment('acme/shop:0.2.0', 2, recreate));
    sync();
    const sets = replicaSets(store);
    expect(sets).toHaveLength(2);
    expect(sets.map((r) => r.spec?.replicas).sort()).toEqual([0, 2]);
    expect(
      pods(store).every(
        (p) =>
          p.metadata.labels?.['pod-template-hash'] !==
          sets.find((r) => r.spec?.replicas === 0)?.metadata.labels?.['pod-template-hash'],
      ),
    ).toBe(true);
  });
});

function jobFrom(spec: NonNullable<Job['spec']>, name = 'catalog-sync-29000000'): Job {
  return defaultJob(
    {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name, namespace: 'shop', labels: { 'app.kubernetes.io/name': 'catalog-sync' } },
      spec,
    },
    '6a4f4c2e-1d8a-4c53-9d2b-2b7f0f1e9a10',
  );
}

const template = (restartPolicy: 'Never' | 'OnFailure'): NonNullable<Job['spec']>['template'] => ({
  metadata: { labels: { 'app.kubernetes.io/name': 'catalog-sync' } },
  spec: { restartPolicy, containers: [{ name: 'main', image: 'acme/shop:0.1.0', args: ['catalog-sync'] }] },
});

const jobOf = (store: ObjectStore, name = 'catalog-sync-29000000'): Job | undefined =>
  asJob(store.get('Job', 'shop', name));

describe('JobController', () => {
  it('defaults a Job as the API server does', () => {
    const job = jobFrom({ template: template('Never') });
    expect(job.spec).toMatchObject({
      completions: 1,
      parallelism: 1,
      backoffLimit: 6,
      completionMode: 'NonIndexed',
      suspend: false,
      manualSelector: false,
      selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': job.metadata.uid } },
    });
    expect(job.spec?.template.metadata?.labels).toEqual({
      'app.kubernetes.io/name': 'catalog-sync',
      'job-name': 'catalog-sync-29000000',
      'batch.kubernetes.io/job-name': 'catalog-sync-29000000',
      'controller-uid': job.metadata.uid,
      'batch.kubernetes.io/controller-uid': job.metadata.uid,
    });
    expect(job.metadata.labels).toEqual({ 'app.kubernetes.io/name': 'catalog-sync' });
    const cron = defaultCronJob({
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'c' },
      spec: { schedule: '* * * * *', jobTemplate: {} },
    });
    expect(cron.spec).toMatchObject({
      concurrencyPolicy: 'Allow',
      suspend: false,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 1,
    });
  });

  it('runs a pod to completion and reports the Job complete, keeping the finished pod', async () => {
    const { store, kubelet, clock, sync, events } = harness();
    store.apply(jobFrom({ template: template('Never') }));
    sync();
    const [pod] = pods(store);
    expect(pod.metadata.name).toMatch(POD_NAME('catalog-sync-29000000'));
    expect(pod.metadata.finalizers).toEqual([JOB_TRACKING_FINALIZER]);
    expect(pod.metadata.labels).toMatchObject({
      'job-name': 'catalog-sync-29000000',
      'batch.kubernetes.io/job-name': 'catalog-sync-29000000',
    });
    expect(pod.metadata.ownerReferences?.[0]).toMatchObject({
      apiVersion: 'batch/v1',
      kind: 'Job',
      controller: true,
      blockOwnerDeletion: true,
    });
    expect(jobOf(store)?.status).toMatchObject({
      active: 1,
      ready: 0,
      terminating: 0,
      uncountedTerminatedPods: {},
    });
    expect(jobOf(store)?.status?.startTime).toBeDefined();
    kubelet.readyAll();
    sync();
    expect(jobOf(store)?.status).toMatchObject({ active: 1, ready: 1 });
    await clock.advance(7000);
    kubelet.finish(pod, 'Succeeded');
    sync();
    const status = jobOf(store)?.status;
    expect(status).toMatchObject({
      succeeded: 1,
      ready: 0,
      completionTime: kubeTime(clock.now()),
    });
    expect(status?.active).toBeUndefined();
    expect(status?.conditions?.map((c) => [c.type, c.status, c.reason, c.message])).toEqual([
      ['SuccessCriteriaMet', 'True', 'CompletionsReached', 'Reached expected number of succeeded pods'],
      ['Complete', 'True', 'CompletionsReached', 'Reached expected number of succeeded pods'],
    ]);
    expect(events('Job', 'catalog-sync-29000000')).toEqual([
      `SuccessfulCreate: Created pod: ${pod.metadata.name}`,
      'Completed: Job completed',
    ]);
    // The succeeded pod stays, no longer held by the finalizer.
    expect(pods(store)).toHaveLength(1);
    expect(pods(store)[0]?.metadata.finalizers).toBeUndefined();
  });

  it('replaces a failed pod after a back-off and fails the Job past backoffLimit', async () => {
    const { store, kubelet, clock, sync, events } = harness();
    store.apply(jobFrom({ backoffLimit: 1, template: template('Never') }));
    sync();
    kubelet.finish(pods(store)[0], 'Failed');
    sync();
    expect(pods(store)).toHaveLength(1);
    expect(jobOf(store)?.status).toMatchObject({ failed: 1 });
    await clock.advance(10_000);
    sync();
    const second = pods(store).find((p) => podPhaseOf(p) !== 'Failed');
    expect(pods(store)).toHaveLength(2);
    if (!second) throw new Error('no replacement pod');
    kubelet.finish(second, 'Failed');
    sync();
    const status = jobOf(store)?.status;
    expect(status).toMatchObject({ failed: 2 });
    expect(status?.conditions?.map((c) => [c.type, c.reason])).toEqual([
      ['FailureTarget', 'BackoffLimitExceeded'],
      ['Failed', 'BackoffLimitExceeded'],
    ]);
    expect(status?.completionTime).toBeUndefined();
    expect(events('Job', 'catalog-sync-29000000').at(-1)).toBe(
      'BackoffLimitExceeded: Job has reached the specified backoff limit',
    );
  });

  it('counts container restarts against backoffLimit under restartPolicy OnFailure', () => {
    const { store, sync } = harness();
    store.apply(jobFrom({ backoffLimit: 2, template: template('OnFailure') }));
    sync();
    const [pod] = pods(store);
    store.updateStatus('Pod', 'shop', pod.metadata.name, {
      phase: 'Running',
      containerStatuses: [
        {
          name: 'main',
          image: 'x',
          imageID: '',
          ready: false,
          restartCount: 2,
          state: { waiting: { reason: 'CrashLoopBackOff' } },
        },
      ],
    });
    sync();
    expect(jobOf(store)?.status?.conditions?.at(-1)).toMatchObject({
      type: 'Failed',
      reason: 'BackoffLimitExceeded',
    });
    expect(pods(store).filter((p) => !p.metadata.deletionTimestamp)).toHaveLength(0);
    expect(jobOf(store)?.status).toMatchObject({ failed: 1 });
  });

  it('runs parallelism pods at a time until completions have succeeded', () => {
    const { store, kubelet, sync } = harness();
    store.apply(jobFrom({ completions: 3, parallelism: 2, template: template('Never') }));
    sync();
    expect(pods(store)).toHaveLength(2);
    for (const p of pods(store)) kubelet.finish(p, 'Succeeded');
    sync();
    expect(pods(store)).toHaveLength(3);
    expect(jobOf(store)?.status).toMatchObject({ active: 1, succeeded: 2 });
    const last = pods(store).find((p) => podPhaseOf(p) === 'Pending');
    if (!last) throw new Error('no third pod');
    kubelet.finish(last, 'Succeeded');
    sync();
    expect(jobOf(store)?.status).toMatchObject({ succeeded: 3 });
    expect(jobOf(store)?.status?.conditions?.at(-1)?.type).toBe('Complete');
  });

  it('fails a Job active past activeDeadlineSeconds and stops its pod', async () => {
    const { store, clock, sync, events } = harness();
    store.apply(jobFrom({ activeDeadlineSeconds: 60, template: template('Never') }));
    sync();
    const [pod] = pods(store);
    await clock.advance(61_000);
    sync();
    expect(jobOf(store)?.status?.conditions?.map((c) => [c.type, c.reason])).toEqual([
      ['FailureTarget', 'DeadlineExceeded'],
      ['Failed', 'DeadlineExceeded'],
    ]);
    expect(jobOf(store)?.status).toMatchObject({ failed: 1 });
    expect(events('Job', 'catalog-sync-29000000')).toEqual([
      `SuccessfulCreate: Created pod: ${pod.metadata.name}`,
      `SuccessfulDelete: Deleted pod: ${pod.metadata.name}`,
      'DeadlineExceeded: Job was active longer than specified deadline',
    ]);
  });

  it('lets a CronJob warn about a Job started by hand, record its success and prune its history', async () => {
    const { store, kubelet, clock, sync, events } = harness();
    const cron = store.apply(
      defaultCronJob({
        apiVersion: 'batch/v1',
        kind: 'CronJob',
        metadata: { name: 'catalog-sync', namespace: 'shop' },
        spec: {
          schedule: '17 3 * * *',
          successfulJobsHistoryLimit: 1,
          jobTemplate: { spec: { template: template('Never') } },
        },
      }),
    );
    const manual = (name: string): Job => {
      const j = jobFrom({ template: template('Never') }, name);
      j.metadata.annotations = { 'cronjob.kubernetes.io/instantiate': 'manual' };
      j.metadata.ownerReferences = [
        {
          apiVersion: 'batch/v1',
          kind: 'CronJob',
          name: 'catalog-sync',
          uid: cron.metadata.uid ?? '',
          controller: true,
        },
      ];
      return defaultJob(j, `uid-${name}`);
    };
    store.apply(manual('catalog-sync-1'));
    sync();
    expect(events('CronJob', 'catalog-sync')).toEqual([
      'UnexpectedJob: Saw a job that the controller did not create or forgot: catalog-sync-1',
    ]);
    kubelet.finish(pods(store)[0], 'Succeeded');
    sync();
    expect(asCronJob(store.get('CronJob', 'shop', 'catalog-sync'))?.status?.lastSuccessfulTime).toBeDefined();
    await clock.advance(60_000);
    store.apply(manual('catalog-sync-2'));
    sync();
    kubelet.finish(
      pods(store).find((p) => p.metadata.name.startsWith('catalog-sync-2-')) ?? pods(store)[0],
      'Succeeded',
    );
    sync();
    expect(store.list('Job', 'shop').map((j) => j.metadata.name)).toEqual(['catalog-sync-2']);
    expect(events('CronJob', 'catalog-sync').at(-1)).toBe('SuccessfulDelete: Deleted job catalog-sync-1');
  });
});
