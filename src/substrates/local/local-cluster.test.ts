import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:net';
import { silentLogger } from '../../logging/logger.js';
import { systemClock } from '../../util/clock.js';
import { waitFor } from '../../util/wait-for.js';
import { containersOf } from '../../kube/containers.js';
import type { KubeObject } from '../../kube/kube-object.js';
import { containerStatusesOf } from '../../kube/pod-status.js';
import { podSpecOf } from '../../kube/pod-template.js';
import { asService } from '../../kube/typed-objects.js';
import { LocalCluster } from './local-cluster.js';
import { ProcessContainerRuntime } from './process-container-runtime.js';
import { networkProber } from './prober.js';
import { isRunning } from '../../process/proc-info.js';

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
    const metrics = await (await fetch(`http://127.0.0.1:${cluster.kubeState.port}/metrics`)).text();
    expect(metrics).toMatch(
      /kube_pod_container_status_restarts_total\{namespace="shop",pod="redis-1",container="redis"\} [1-9]/,
    );
    expect(metrics).toContain('kube_deployment_spec_replicas{namespace="shop",deployment="redis"} 1');
    // The crash looping pod's output is kept even though its process died.
    expect(cluster.logs.between('0', '9').some((l) => l.entity === 'shop/Pod/redis-1')).toBe(true);
  }, 40_000);
});
