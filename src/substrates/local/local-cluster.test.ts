import { kubeTime } from '../../kube/kube-time.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import pg from 'pg';
import { silentLogger } from '../../logging/logger.js';
import { systemClock } from '../../util/clock.js';
import { ManualClock } from '../../util/manual-clock.js';
import { waitFor } from '../../util/wait-for.js';
import { containersOf } from '../../kube/containers.js';
import type { KubeObject } from '../../kube/kube-object.js';
import { containerStatusesOf } from '../../kube/pod-status.js';
import { podSpecOf } from '../../kube/pod-template.js';
import { podPhaseOf } from '../../kube/pod-status.js';
import { asCronJob, asJob, asNode, asService, ofKind } from '../../kube/typed-objects.js';
import { ACTIVITIES } from '../../background/activities.js';
import { RecordingChaos } from '../../faults/testing/fake-target.js';
import { LocalCluster } from './local-cluster.js';
import { ProcessContainerRuntime } from './process-container-runtime.js';
import { networkProber } from './prober.js';
import { isRunning, processesInGroup } from '../../process/proc-info.js';
import { loadManifests } from '../../manifests/load-manifests.js';
import { SHOP_MANIFESTS_DIR } from '../../manifests/paths.js';
import { PgPostgresAdmin } from '../pg-postgres-admin.js';
import { postgresStateText, readPostgresState, settlePostgres } from '../postgres-state.js';
import type { ContainerLaunch, ContainerProcess, ContainerRuntime } from './container-runtime.js';
import { imageCommand, POSTGRES_ENTRYPOINT } from './image-commands.js';

function redisPing(ip: string, port: number, password: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(port, ip, () => s.write(`AUTH ${password}\r\nPING\r\n`));
    let buf = '';
    s.on('data', (d) => {
      buf += d.toString();
      if (buf.includes('PONG') || buf.includes('ERR')) {
        s.destroy();
        resolve(buf);
      }
    });
    s.on('error', reject);
  });
}

const deployment = (memory = '64Mi', replicas = 1): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'redis', namespace: 'shop', labels: { 'app.kubernetes.io/name': 'redis' } },
  spec: {
    replicas,
    selector: { matchLabels: { 'app.kubernetes.io/name': 'redis' } },
    template: {
      metadata: { labels: { 'app.kubernetes.io/name': 'redis' } },
      spec: {
        containers: [
          {
            name: 'redis',
            image: 'redis:7.0.15',
            args: ['--port', '6379', '--requirepass', '$(REDIS_PASSWORD)'],
            env: [
              {
                name: 'REDIS_PASSWORD',
                valueFrom: { secretKeyRef: { name: 'redis-auth', key: 'password' } },
              },
            ],
            ports: [{ name: 'redis', containerPort: 6379 }],
            readinessProbe: { tcpSocket: { port: 'redis' }, periodSeconds: 1 },
            resources: { limits: { memory } },
          },
        ],
      },
    },
  },
});

describe('LocalCluster (real redis-server processes)', () => {
  let dir: string;
  let cluster: LocalCluster;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fd-cluster-'));
    cluster = new LocalCluster({
      runtime: new ProcessContainerRuntime(),
      prober: networkProber,
      clock: systemClock,
      logger: silentLogger(),
      repoRoot: process.cwd(),
      runDir: dir,
      backoff: { initialMs: 500, maxMs: 2000 },
      memoryPollMs: 200,
    });
    await cluster.start();
    await cluster.apply({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'redis-auth', namespace: 'shop' },
      stringData: { password: 's3cret' },
    });
    await cluster.apply({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'redis', namespace: 'shop' },
      spec: { selector: { 'app.kubernetes.io/name': 'redis' }, ports: [{ port: 6379, targetPort: 'redis' }] },
    });
  });

  afterEach(async () => {
    await cluster.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const readyPods = async (): Promise<KubeObject[]> =>
    (await cluster.list('Pod', 'shop')).filter((p) => cluster.isReady('shop', p.metadata.name));

  it('runs a Deployment behind its Service, replaces a deleted pod and reports events', async () => {
    await cluster.apply(deployment());
    await waitFor('redis pod ready', async () => (await readyPods()).length === 1, { timeoutMs: 15_000 });
    const svc = await cluster.get('Service', 'shop', 'redis');
    const ip = asService(svc)?.spec?.clusterIP ?? '';
    expect(await redisPing(ip, 6379, 's3cret')).toContain('PONG');

    const [first] = await readyPods();
    const pid = cluster.worker('shop', first.metadata.name)?.pid;
    expect(pid).toBeDefined();
    await cluster.delete('Pod', 'shop', first.metadata.name);
    await waitFor(
      'replacement pod ready',
      async () => (await readyPods()).some((p) => p.metadata.name !== first.metadata.name),
      { timeoutMs: 15_000 },
    );
    await waitFor('old process gone', async () => !isRunning(pid!), { timeoutMs: 5000 });
    const reasons = (await cluster.list('Event', 'shop')).map((e) => e.reason);
    expect(reasons).toEqual(
      expect.arrayContaining([
        'Scheduled',
        'Pulled',
        'Created',
        'Started',
        'Killing',
        'SuccessfulCreate',
        'ScalingReplicaSet',
      ]),
    );
    const deploy = await cluster.get('Deployment', 'shop', 'redis');
    expect(deploy?.status).toMatchObject({ readyReplicas: 1, availableReplicas: 1 });
  }, 40_000);

  it('kills a container over its memory limit as OOMKilled and backs off', async () => {
    await cluster.apply(deployment('1Mi'));
    await waitFor(
      'OOMKilled restart',
      async () => {
        const [pod] = await cluster.list('Pod', 'shop');
        const cs = pod && containerStatusesOf(pod)[0];
        return (cs?.restartCount ?? 0) >= 2 && cs?.lastState?.terminated?.reason === 'OOMKilled';
      },
      { timeoutMs: 20_000 },
    );
    const nodeEvents = await cluster.list('Event', 'default');
    expect(nodeEvents.some((e) => e.reason === 'OOMKilling')).toBe(true);
    const events = await cluster.list('Event', 'shop');
    expect(events.some((e) => e.reason === 'BackOff')).toBe(true);
  }, 40_000);

  it('keeps the old pod serving while a broken rollout crash-loops', async () => {
    await cluster.apply(deployment());
    await waitFor('ready', async () => (await readyPods()).length === 1, { timeoutMs: 15_000 });
    const broken = deployment();
    const c = containersOf(podSpecOf(broken))[0];
    if (!c) throw new Error('the test Deployment has no container');
    c.args = ['--port', '6379', '--no-such-option', 'x'];
    await cluster.apply(broken);
    await waitFor(
      'new pod crash-looping',
      async () =>
        (await cluster.list('Pod', 'shop')).some((p) => (containerStatusesOf(p)[0]?.restartCount ?? 0) >= 1),
      { timeoutMs: 15_000 },
    );
    expect((await readyPods()).length).toBe(1);
    expect((await cluster.list('Pod', 'shop')).length).toBe(2);
    const crashing = (await cluster.list('Pod', 'shop')).find(
      (p) => (containerStatusesOf(p)[0]?.restartCount ?? 0) >= 1,
    );
    const name = crashing?.metadata.name ?? '';
    const sets = await cluster.list('ReplicaSet', 'shop');
    const revisionOf = (rs: KubeObject | undefined): string | undefined =>
      rs?.metadata.annotations?.['deployment.kubernetes.io/revision'];
    const newRS = sets.find((rs) => name.startsWith(`${rs.metadata.name}-`));
    expect(revisionOf(newRS)).toBe('2');
    expect(sets.filter((rs) => rs !== newRS).map(revisionOf)).toEqual(['1']);
    const metrics = await (await fetch(`http://127.0.0.1:${cluster.kubeState.port}/metrics`)).text();
    expect(metrics).toMatch(
      new RegExp(
        `kube_pod_container_status_restarts_total\\{namespace="shop",pod="${name}",uid="[^"]+",container="redis"\\} [1-9]`,
      ),
    );
    expect(metrics).toContain('kube_deployment_spec_replicas{namespace="shop",deployment="redis"} 1');
    expect(metrics).toContain(
      `kube_replicaset_spec_replicas{namespace="shop",replicaset="${newRS?.metadata.name ?? ''}"} 1`,
    );
    // The crash looping pod's output is kept even though its process died.
    expect(cluster.logs.between('0', '9').some((l) => l.entity === `shop/Pod/${name}`)).toBe(true);
  }, 40_000);

  const ALPHABET = '[bcdfghjklmnpqrstvwxz2456789]';

  it('names pods after their ReplicaSet, binds them to the node, and deletes what a Deployment owned with it', async () => {
    await cluster.apply(deployment());
    await waitFor('redis pod ready', async () => (await readyPods()).length === 1, { timeoutMs: 15_000 });
    const [pod] = await readyPods();
    const [rs] = await cluster.list('ReplicaSet', 'shop');
    expect(rs.metadata.name).toMatch(/^redis-[4-9bcdf]{1,10}$/);
    expect(pod.metadata.name).toMatch(new RegExp(`^${rs.metadata.name}-${ALPHABET}{5}$`));
    expect(podSpecOf(pod)?.nodeName).toBe('worker-1');
    const node = asNode(await cluster.get('Node', undefined, 'worker-1'));
    expect(node?.metadata.labels).toMatchObject({
      'kubernetes.io/hostname': 'worker-1',
      'kubernetes.io/os': 'linux',
      'kubernetes.io/arch': expect.stringMatching(/^(amd64|arm64)$/),
      'node.kubernetes.io/instance-type': expect.stringMatching(/^e2-/),
      'topology.kubernetes.io/zone': expect.any(String),
    });
    expect(node?.status?.nodeInfo?.kubeletVersion).toMatch(/^v1\.\d+\.\d+$/);
    expect(node?.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
    expect(await cluster.get('Node', undefined, 'localhost')).toBeUndefined();

    const events = ofKind(await cluster.list('Event', 'shop'), 'Event');
    const scheduled = events.find((e) => e.reason === 'Scheduled');
    expect(scheduled?.message).toBe(`Successfully assigned shop/${pod.metadata.name} to worker-1`);
    expect(events.find((e) => e.reason === 'Started')?.source).toEqual({
      component: 'kubelet',
      host: 'worker-1',
    });
    expect(events.find((e) => e.reason === 'ScalingReplicaSet')?.source).toEqual({
      component: 'deployment-controller',
    });

    await cluster.delete('Deployment', 'shop', 'redis');
    await waitFor('pods and ReplicaSets gone', async () => (await cluster.list('Pod', 'shop')).length === 0, {
      timeoutMs: 15_000,
    });
    expect(await cluster.list('ReplicaSet', 'shop')).toEqual([]);
  }, 40_000);

  /** A CronJob whose Jobs run a short real command in the shop image (its `node`). */
  const cronJob = (script: string, restartPolicy: 'Never' | 'OnFailure' = 'Never'): KubeObject => ({
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: {
      name: 'catalog-sync',
      namespace: 'shop',
      labels: { 'app.kubernetes.io/name': 'catalog-sync' },
    },
    spec: {
      schedule: '17 3 * * *',
      concurrencyPolicy: 'Forbid',
      jobTemplate: {
        metadata: { labels: { 'app.kubernetes.io/name': 'catalog-sync' } },
        spec: {
          backoffLimit: 1,
          activeDeadlineSeconds: 600,
          template: {
            metadata: { labels: { 'app.kubernetes.io/name': 'catalog-sync' } },
            spec: {
              restartPolicy,
              containers: [
                { name: 'catalog-sync', image: 'acme/shop:0.1.0', command: ['node', '-e', script] },
              ],
            },
          },
        },
      },
    },
  });

  const jobDone = async (name: string): Promise<boolean> =>
    (asJob(await cluster.get('Job', 'shop', name))?.status?.conditions ?? []).some(
      (c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True',
    );

  it('runs a Job started from a CronJob to completion, keeps its pod until the Job is deleted', async () => {
    await cluster.apply(cronJob("console.log('synced 12 products')"));
    const clock = { now: () => new Date() };
    const job = ACTIVITIES.get('job');
    const outcome = await job?.run(
      { kind: 'job', atMs: 0, pick: 0, params: {} },
      {
        target: {
          objects: cluster,
          flags: { set: async () => undefined, remove: async () => undefined },
          redis: { command: async () => undefined },
          chaos: new RecordingChaos(),
        },
        namespace: 'shop',
        excluded: new Set(),
        heldSettings: new Set(),
        now: clock.now,
        logger: silentLogger(),
      },
    );
    const name = outcome?.target?.split('/')[2] ?? '';
    expect(name).toMatch(/^catalog-sync-manual-\d+$/);
    await waitFor('Job complete', () => jobDone(name), { timeoutMs: 20_000 });

    const stored = asJob(await cluster.get('Job', 'shop', name));
    expect(stored?.status).toMatchObject({ succeeded: 1, ready: 0 });
    expect(stored?.status?.conditions?.map((c) => c.type)).toEqual(['SuccessCriteriaMet', 'Complete']);
    expect(stored?.spec?.selector?.matchLabels).toEqual({
      'batch.kubernetes.io/controller-uid': stored?.metadata.uid,
    });
    const [pod] = await cluster.list('Pod', 'shop');
    expect(pod.metadata.name).toMatch(new RegExp(`^${name}-${ALPHABET}{5}$`));
    expect(pod.metadata.labels).toMatchObject({
      'job-name': name,
      'batch.kubernetes.io/job-name': name,
      'controller-uid': stored?.metadata.uid,
      'batch.kubernetes.io/controller-uid': stored?.metadata.uid,
    });
    expect(pod.metadata.finalizers).toBeUndefined();
    expect(podPhaseOf(pod)).toBe('Succeeded');
    expect(containerStatusesOf(pod)[0]?.state?.terminated).toMatchObject({
      exitCode: 0,
      reason: 'Completed',
    });
    expect(containerStatusesOf(pod)[0]?.restartCount).toBe(0);
    expect(cluster.logs.between('0', '9').map((l) => l.line)).toContain('synced 12 products');

    const events = ofKind(await cluster.list('Event', 'shop'), 'Event');
    const of = (kind: string, n: string): string[] =>
      events
        .filter((e) => e.involvedObject.kind === kind && e.involvedObject.name === n)
        .map((e) => `${e.source?.component ?? ''} ${e.reason ?? ''}: ${e.message ?? ''}`);
    expect(of('Job', name)).toEqual([
      `job-controller SuccessfulCreate: Created pod: ${pod.metadata.name}`,
      'job-controller Completed: Job completed',
    ]);
    expect(of('Pod', pod.metadata.name)).toEqual([
      `default-scheduler Scheduled: Successfully assigned shop/${pod.metadata.name} to worker-1`,
      'kubelet Pulled: Container image "acme/shop:0.1.0" already present on machine',
      'kubelet Created: Created container catalog-sync',
      'kubelet Started: Started container catalog-sync',
    ]);
    expect(of('CronJob', 'catalog-sync')).toEqual([
      `cronjob-controller UnexpectedJob: Saw a job that the controller did not create or forgot: ${name}`,
    ]);

    const metrics = await (await fetch(`http://127.0.0.1:${cluster.kubeState.port}/metrics`)).text();
    const job_ = `namespace="shop",job_name="${name}"`;
    const pod_ = `namespace="shop",pod="${pod.metadata.name}",uid="${pod.metadata.uid ?? ''}"`;
    for (const line of [
      `kube_job_status_succeeded{${job_}} 1`,
      `kube_job_status_active{${job_}} 0`,
      `kube_job_status_failed{${job_}} 0`,
      `kube_job_complete{${job_},condition="true"} 1`,
      `kube_job_owner{${job_},owner_kind="CronJob",owner_name="catalog-sync",owner_is_controller="true"} 1`,
      'kube_cronjob_info{namespace="shop",cronjob="catalog-sync",schedule="17 3 * * *",concurrency_policy="Forbid",timezone="local"} 1',
      'kube_cronjob_spec_suspend{namespace="shop",cronjob="catalog-sync"} 0',
      `kube_pod_status_phase{${pod_},phase="Succeeded"} 1`,
      `kube_pod_status_ready{${pod_},condition="false"} 1`,
      `kube_pod_container_status_terminated_reason{${pod_},container="catalog-sync",reason="Completed"} 1`,
      `kube_pod_owner{${pod_},owner_kind="Job",owner_name="${name}",owner_is_controller="true"} 1`,
    ])
      expect(metrics).toContain(line);

    await outcome?.undo?.();
    await waitFor(
      'Job pod deleted with its Job',
      async () => (await cluster.list('Pod', 'shop')).length === 0,
      {
        timeoutMs: 10_000,
      },
    );
  }, 40_000);

  it('restarts a failing container in place under restartPolicy OnFailure', async () => {
    // Fails on its first run, succeeds once the marker it left in the pod's home is there.
    const script =
      "const f = require('path').join(process.env.HOME, 'ran'); if (!require('fs').existsSync(f)) { require('fs').writeFileSync(f, ''); process.exit(3); }";
    const cron = cronJob(script, 'OnFailure');
    await cluster.apply({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'catalog-sync-manual', namespace: 'shop' },
      // Under OnFailure each restart counts against the limit: 1 would fail the Job at the first restart.
      spec: { ...jobSpecOf(cron), backoffLimit: 3 },
    });
    await waitFor('Job complete', () => jobDone('catalog-sync-manual'), { timeoutMs: 20_000 });
    const pods = await cluster.list('Pod', 'shop');
    expect(pods).toHaveLength(1);
    expect(podPhaseOf(pods[0])).toBe('Succeeded');
    expect(containerStatusesOf(pods[0])[0]).toMatchObject({
      restartCount: 1,
      lastState: { terminated: { exitCode: 3, reason: 'Error' } },
      state: { terminated: { exitCode: 0, reason: 'Completed' } },
    });
    expect(asJob(await cluster.get('Job', 'shop', 'catalog-sync-manual'))?.status).toMatchObject({
      succeeded: 1,
    });
  }, 40_000);

  it('replaces a failed pod under restartPolicy Never and fails the Job past backoffLimit', async () => {
    await cluster.apply({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'catalog-sync-broken', namespace: 'shop' },
      spec: jobSpecOf(cronJob('process.exit(2)')),
    });
    await waitFor('Job failed', () => jobDone('catalog-sync-broken'), { timeoutMs: 20_000 });
    const job = asJob(await cluster.get('Job', 'shop', 'catalog-sync-broken'));
    expect(job?.status).toMatchObject({ failed: 2 });
    expect(job?.status?.conditions?.at(-1)).toMatchObject({ type: 'Failed', reason: 'BackoffLimitExceeded' });
    const pods = await cluster.list('Pod', 'shop');
    expect(pods.map(podPhaseOf)).toEqual(['Failed', 'Failed']);
    expect(containerStatusesOf(pods[0])[0]?.state?.terminated).toMatchObject({
      exitCode: 2,
      reason: 'Error',
    });
  }, 40_000);
});

/** Real processes, with every launch kept for the test to look at. */
class RecordingRuntime implements ContainerRuntime {
  readonly launches: ContainerLaunch[] = [];
  private readonly inner = new ProcessContainerRuntime();
  start(launch: ContainerLaunch): Promise<ContainerProcess> {
    this.launches.push(launch);
    return this.inner.start(launch);
  }
}

describe("LocalCluster (the shop's PostgreSQL, manifests/shop/postgres.yaml, real processes)", () => {
  it('makes the cluster in the pod directory, serves the shop role, logs to the pod log and takes admin statements', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fd-pg-'));
    const runtime = new RecordingRuntime();
    const cluster = new LocalCluster({
      runtime,
      prober: networkProber,
      clock: systemClock,
      logger: silentLogger(),
      repoRoot: process.cwd(),
      runDir: dir,
    });
    let pid: number | undefined;
    try {
      await cluster.start();
      const objects = (await loadManifests(SHOP_MANIFESTS_DIR)).filter(
        (o) => o.metadata.labels?.['app.kubernetes.io/name'] === 'postgres',
      );
      expect(objects.map((o) => o.kind).sort()).toEqual(['Deployment', 'Secret', 'Service']);
      for (const o of objects) await cluster.apply(o as KubeObject);
      const ready = async (): Promise<KubeObject | undefined> =>
        (await cluster.list('Pod', 'shop')).find((p) => cluster.isReady('shop', p.metadata.name));
      const pod = await waitFor('postgres pod ready', ready, { timeoutMs: 60_000 });
      const worker = cluster.worker('shop', pod.metadata.name);
      pid = worker?.pid;
      const podDir = worker?.podDir ?? '?';

      // The image's entrypoint, the manifest's settings, then the local ones; PGDATA in the data volume.
      const [launch] = runtime.launches;
      expect(launch?.command).toBe(join(process.cwd(), POSTGRES_ENTRYPOINT));
      expect(launch?.args).toEqual(
        expect.arrayContaining([
          'max_connections=50',
          'shared_buffers=32MB',
          'log_min_duration_statement=250',
        ]),
      );
      expect(launch?.args.slice(-4)).toEqual(
        imageCommand('postgres:15', process.cwd())?.localArgs(worker?.podIp ?? '', podDir),
      );
      const pgdata = join(podDir, 'volumes/kubernetes.io~empty-dir/data/pgdata');
      expect(launch?.env.PGDATA).toBe(pgdata);
      expect(existsSync(join(pgdata, 'PG_VERSION'))).toBe(true);

      // The app's way in: the Service, as role shop (not a superuser) with the Secret's password.
      const ip = asService(await cluster.get('Service', 'shop', 'postgres'))?.spec?.clusterIP ?? '';
      const client = new pg.Client({
        host: ip,
        port: 5432,
        user: 'shop',
        password: 'firedrill-pg-7a41',
        database: 'shop',
      });
      await client.connect();
      try {
        const me = await client.query<{ user: string; super: boolean }>(
          'SELECT current_user AS user, rolsuper AS super FROM pg_roles WHERE rolname = current_user',
        );
        expect(me.rows).toEqual([{ user: 'shop', super: false }]);
        await client.query('SELECT pg_sleep(0.3)');
      } finally {
        await client.end();
      }
      // The server's stderr is the pod's log: the slow statement is there, with the line prefix.
      const lines = await waitFor(
        'the slow statement in the pod log',
        async () => {
          const all = cluster.logs.between('1970-01-01T00:00:00Z', '2999-01-01T00:00:00Z');
          return all.some((l) => l.line.includes('pg_sleep(0.3)')) ? all : undefined;
        },
        { timeoutMs: 5000 },
      );
      // One stream, the server's: the entrypoint's set-up lines are on stderr too.
      expect(lines.filter((l) => l.stream !== 'stderr')).toEqual([]);
      expect(lines[0]?.line).toMatch(/^postgres-entrypoint: no cluster in /);
      expect(lines.find((l) => l.line.includes('pg_sleep(0.3)'))).toMatchObject({
        entity: `shop/Pod/${pod.metadata.name}`,
        container: 'postgres',
        stream: 'stderr',
        line: expect.stringMatching(
          / \[\d+\] shop@shop\/\S* LOG: {2}duration: \d+\.\d+ ms {2}statement: SELECT pg_sleep\(0\.3\)/,
        ),
      });

      // The admin: the superuser on the pod's address; a connection limit a fault set is put back.
      const admin = new PgPostgresAdmin(async () => ({
        host: worker?.podIp ?? '',
        port: 5432,
        password: 'firedrill-pg-7a41',
        database: 'shop',
        users: ['postgres', 'shop'],
      }));
      expect(await admin.query('SELECT current_setting($1) AS v', ['max_connections'])).toEqual([
        { v: '50' },
      ]);
      const names = { role: 'shop', database: 'shop' };
      const baseline = postgresStateText(await readPostgresState(admin, names));
      await admin.query('ALTER ROLE shop CONNECTION LIMIT 2');
      await admin.query("ALTER SYSTEM SET work_mem = '64kB'");
      await admin.query('SELECT pg_reload_conf()');
      const settled = await settlePostgres(admin, names, { baseline });
      expect(settled.actions).toHaveLength(2);
      expect(settled.state).toBe(baseline);
    } finally {
      await cluster.stop();
      rmSync(dir, { recursive: true, force: true });
    }
    // Nothing of the server outlives its pod.
    expect(pid).toBeDefined();
    expect(processesInGroup(pid ?? 0)).toEqual([]);
  }, 90_000);
});

/** The Job spec of a CronJob's template, as `kubectl create job --from=cronjob/...` copies it. */
function jobSpecOf(cron: KubeObject): Record<string, unknown> {
  const spec = asCronJob(cron)?.spec?.jobTemplate.spec;
  return structuredClone({ ...spec });
}

describe('LocalCluster node', () => {
  it("moves the node's heartbeat on every five minutes, as the kubelet reports an unchanged status", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fd-node-'));
    const clock = new ManualClock();
    const cluster = new LocalCluster({
      runtime: new ProcessContainerRuntime(),
      prober: networkProber,
      clock,
      logger: silentLogger(),
      repoRoot: process.cwd(),
      runDir: dir,
    });
    try {
      await cluster.start();
      const heartbeat = async (): Promise<string | undefined> =>
        asNode(await cluster.get('Node', undefined, 'worker-1'))?.status?.conditions?.find(
          (c) => c.type === 'Ready',
        )?.lastHeartbeatTime;
      const first = await heartbeat();
      expect(first).toBe(kubeTime(clock.now()));
      await clock.advance(5 * 60_000);
      await waitFor('heartbeat moved on', async () => (await heartbeat()) !== first, { timeoutMs: 5000 });
      expect(await heartbeat()).toBe(kubeTime(clock.now()));
    } finally {
      await cluster.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 20_000);
});
