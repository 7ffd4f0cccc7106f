import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { ExitCode } from '../../src/errors/exit-codes.js';
import { FiredrillError } from '../../src/errors/firedrill-error.js';
import { KindCommandError } from '../../src/errors/kind-command-error.js';
import { MissingToolError } from '../../src/errors/missing-tool-error.js';
import { isKubeObject, type KubeObject } from '../../src/kube/kube-object.js';
import type { PodStreamOpener } from '../../src/kube/pod-port-forwarder.js';
import { silentLogger } from '../../src/logging/logger.js';
import { RespParser } from '../../src/substrates/local/observability/redis-resp.js';
import type { KindCli, KindClusterSpec, KindPrerequisites } from '../../src/substrates/kind/kind-cli.js';
import { KIND_CLUSTER_CONFIG, KindSubstrate } from '../../src/substrates/kind/kind-substrate.js';
import type { ShopImageBuilder } from '../../src/substrates/kind/shop-image.js';
import { deploymentObjects, shopObjects } from '../../src/substrates/kubernetes/deploy-objects.js';
import type { ProgressReporter } from '../../src/platform/substrate.js';
import { REPO_ROOT } from '../../src/version.js';
import { imageReference, loadVersions } from '../../src/versions/versions.js';
import { FakeApiServer, type ProxyHandler } from './fake-api-server.js';
import { FakePostgresServer } from './fake-postgres-server.js';

const versions = loadVersions();
const PINNED_NODE = imageReference(versions.images.kindNode);
const SHOP_IMAGE = versions.images.shop.image;
const jaegerFixture = readFileSync(join(REPO_ROOT, 'tests/fixtures/telemetry/jaeger-api-v3.json'), 'utf8');

/** Records every call as one line; answers from a list of existing clusters. */
class FakeKindCli implements KindCli {
  readonly calls: string[] = [];
  constructor(
    private readonly kubeconfig: string,
    readonly clusters: string[] = [],
    private readonly fail: { create?: Error; check?: Error } = {},
  ) {}
  async check(): Promise<KindPrerequisites> {
    this.calls.push('check');
    if (this.fail.check) throw this.fail.check;
    return { kind: '0.30.0', docker: '28.3.3' };
  }
  async createCluster(spec: KindClusterSpec): Promise<void> {
    this.calls.push(
      `createCluster ${spec.name} ${spec.config} ${spec.image} ${spec.waitSec}${spec.retain ? ' retain' : ''}`,
    );
    this.clusters.push(spec.name);
    if (this.fail.create) throw this.fail.create;
  }
  async getClusters(): Promise<string[]> {
    this.calls.push('getClusters');
    return [...this.clusters];
  }
  async getKubeconfig(name: string): Promise<string> {
    this.calls.push(`getKubeconfig ${name}`);
    return this.kubeconfig;
  }
  async loadDockerImage(image: string, name: string): Promise<void> {
    this.calls.push(`loadDockerImage ${image} ${name}`);
  }
  async exportLogs(name: string, dir: string): Promise<void> {
    this.calls.push(`exportLogs ${name} ${dir}`);
  }
  async deleteCluster(name: string): Promise<void> {
    this.calls.push(`deleteCluster ${name}`);
    const i = this.clusters.indexOf(name);
    if (i >= 0) this.clusters.splice(i, 1);
  }
}

/** A Redis stand-in speaking RESP: AUTH, CONFIG GET; records every command. */
class FakeRedis {
  readonly commands: string[][] = [];
  config: Record<string, string> = {
    maxmemory: String(96 * 1024 * 1024),
    'maxmemory-policy': 'allkeys-lru',
  };
  private constructor(private readonly server: net.Server) {}
  static async start(): Promise<FakeRedis> {
    const ref: { self?: FakeRedis } = {};
    const server = net.createServer((socket) => {
      const parser = new RespParser();
      socket.on('data', (chunk: Buffer) => {
        for (const cmd of parser.push(chunk) as string[][]) {
          ref.self?.commands.push(cmd);
          const [name = '', sub = '', key = ''] = cmd;
          if (name.toUpperCase() === 'CONFIG' && sub.toUpperCase() === 'GET') {
            const v = ref.self?.config[key] ?? '';
            socket.write(`*2\r\n$${key.length}\r\n${key}\r\n$${v.length}\r\n${v}\r\n`);
          } else socket.write('+OK\r\n');
        }
      });
      socket.on('error', () => socket.destroy());
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    ref.self = new FakeRedis(server);
    return ref.self;
  }
  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }
  async close(): Promise<void> {
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

/**
 * Stands in for client-node's PortForward: streams to pod port 5432 go to the fake PostgreSQL when there
 * is one, every other to the fake Redis.
 */
function tcpTo(port: number, opened: string[], postgresPort?: number): PodStreamOpener {
  return async (ns: string, pod: string, target: number, socket: Duplex) => {
    opened.push(`${ns}/${pod}:${target}`);
    const upstream = net.connect(target === 5432 && postgresPort ? postgresPort : port, '127.0.0.1');
    await new Promise<void>((r) => upstream.once('connect', () => r()));
    socket.pipe(upstream).pipe(socket);
    upstream.on('close', () => socket.end());
    return () => upstream.destroy();
  };
}

const phases: string[] = [];
const progress: ProgressReporter = { phase: (name, detail) => phases.push(`${name}: ${detail ?? ''}`) };

/** The object a request to the fake API server carried. */
function sentObject(body: string): KubeObject {
  const o: unknown = JSON.parse(body);
  if (!isKubeObject(o)) throw new Error(`not a Kubernetes object: ${body.slice(0, 80)}`);
  return o;
}

function running(
  name: string,
  ns: string,
  app: string,
  containers: Array<{ name: string; restartCount?: number }>,
  created = '2026-11-25T12:00:00Z',
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns, labels: { 'app.kubernetes.io/name': app }, creationTimestamp: created },
    spec: { containers: containers.map((c) => ({ name: c.name, image: 'x:1' })) },
    status: {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: 'True' }],
      containerStatuses: containers.map((c) => ({
        name: c.name,
        image: `docker.io/library/${app}:1`,
        imageID: `docker.io/library/${app}@sha256:${'a'.repeat(64)}`,
        restartCount: c.restartCount ?? 0,
      })),
    },
  };
}

const CLUSTER_OBJECTS: KubeObject[] = [
  {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'shop-lab-control-plane' },
    status: {
      nodeInfo: {
        kubeletVersion: 'v1.34.0',
        containerRuntimeVersion: 'containerd://2.1.4',
        osImage: 'Debian GNU/Linux 12 (bookworm)',
      },
    },
  },
  running('cart-6c9d4-x2x7q', 'shop', 'cart', [{ name: 'cart', restartCount: 1 }]),
  running('redis-5f7b8-old', 'shop', 'redis', [{ name: 'redis' }], '2026-11-25T11:00:00Z'),
  running('redis-5f7b8-new', 'shop', 'redis', [{ name: 'redis' }], '2026-11-25T12:30:00Z'),
  running('prometheus-7d8-abc', 'observability', 'prometheus', [{ name: 'prometheus' }]),
  {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: 'cart.1', namespace: 'shop' },
    type: 'Warning',
    reason: 'BackOff',
    message: 'Back-off restarting failed container cart',
    involvedObject: { kind: 'Pod', namespace: 'shop', name: 'cart-6c9d4-x2x7q' },
    firstTimestamp: '2026-11-25T12:01:00Z',
    lastTimestamp: '2026-11-25T12:02:00Z',
    count: 3,
  },
];

const proxy: ProxyHandler = (target, req) => {
  if (target.service === 'jaeger') {
    if (target.rest.startsWith('/api/v3/services')) return { status: 200, body: '{"services":["payment"]}' };
    return { status: 200, body: jaegerFixture };
  }
  if (target.service === 'prometheus' && target.rest.startsWith('/api/v1/alerts')) {
    return {
      status: 200,
      body: JSON.stringify({
        status: 'success',
        data: {
          alerts: [
            {
              labels: { alertname: 'KubePodCrashLooping', namespace: 'shop', pod: 'cart-6c9d4-x2x7q' },
              annotations: {},
              state: 'firing',
              activeAt: '2026-11-25T12:01:30Z',
              value: '1',
            },
          ],
        },
      }),
    };
  }
  return { status: 200, body: JSON.stringify({ ok: true, method: req.method }) };
};

describe('KindSubstrate with a fake kind CLI and an HTTP fake of the API server', () => {
  let fake: FakeApiServer;
  let redis: FakeRedis;
  let logsDir: string;
  const opened: string[] = [];

  beforeEach(async () => {
    phases.length = 0;
    opened.length = 0;
    fake = await FakeApiServer.start({
      objects: CLUSTER_OBJECTS,
      autoReady: true,
      proxy,
      logs: {
        'shop/cart-6c9d4-x2x7q/cart/true':
          '2026-11-25T12:00:30.000000000Z {"msg":"out of memory"}\n2026-11-25T11:00:00Z {"msg":"too early"}\n',
        'shop/cart-6c9d4-x2x7q/cart/false': '2026-11-25T12:01:00.250Z {"msg":"started"}\n',
      },
    });
    redis = await FakeRedis.start();
    logsDir = await mkdtemp(join(tmpdir(), 'firedrill-kind-logs-'));
  });

  afterEach(async () => {
    await fake.close();
    await redis.close();
    await rm(logsDir, { recursive: true, force: true });
  });

  const substrate = (kind: KindCli, extra: Partial<ConstructorParameters<typeof KindSubstrate>[0]> = {}) => {
    const builds: string[] = [];
    const images: ShopImageBuilder = { build: async () => void builds.push('build') };
    const s = new KindSubstrate({
      logger: silentLogger(),
      kind,
      images,
      logsDir,
      readyTimeoutMs: 5000,
      portForwardFor: () => tcpTo(redis.port, opened),
      ...extra,
    });
    return { s, builds };
  };

  it('creates the cluster with the pinned node image, loads the shop image and applies everything in order', async () => {
    const kind = new FakeKindCli(fake.kubeconfigYaml('kind-shop-lab'));
    const { s, builds } = substrate(kind);
    await s.up(new AbortController().signal, progress);
    try {
      expect(kind.calls).toEqual([
        'check',
        'getClusters',
        `createCluster shop-lab ${KIND_CLUSTER_CONFIG} ${PINNED_NODE} 180 retain`,
        `loadDockerImage ${SHOP_IMAGE} shop-lab`,
        'getKubeconfig shop-lab',
      ]);
      expect(PINNED_NODE).toMatch(/^kindest\/node:v1\.34\.0@sha256:[0-9a-f]{64}$/);
      expect(builds).toEqual(['build']);

      const patches = fake.requests.filter((r) => r.method === 'PATCH');
      const applied = patches.map((r) => {
        const o = sentObject(r.body);
        return `${o.metadata.namespace ?? ''}/${o.kind}/${o.metadata.name}`;
      });
      expect(applied).toEqual(
        (await deploymentObjects()).map((o) => `${o.metadata.namespace ?? ''}/${o.kind}/${o.metadata.name}`),
      );
      expect(new Set(patches.map((r) => r.query))).toEqual(new Set(['fieldManager=firedrill&force=true']));
      expect(new Set(patches.map((r) => r.headers['content-type']))).toEqual(
        new Set(['application/apply-patch+yaml']),
      );
      // Readiness was read back for the three namespaces.
      for (const ns of ['observability', 'shop', 'firedrill-system']) {
        expect(fake.calls()).toContain(`GET /apis/apps/v1/namespaces/${ns}/deployments?limit=500`);
      }
      expect(phases.some((p) => p.includes('creating kind cluster shop-lab'))).toBe(true);
      expect(s.endpoints()).toMatchObject({
        prometheus: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
        alertmanager: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
        jaeger: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
        flags: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
        context: 'kind-shop-lab',
      });
    } finally {
      await s.down();
    }
    expect(kind.calls.at(-1)).toBe('deleteCluster shop-lab');
  });

  it('gives faults the settings service through the service proxy and Redis through a pod port-forward', async () => {
    const { s } = substrate(new FakeKindCli(fake.kubeconfigYaml()));
    await s.up(new AbortController().signal, progress);
    try {
      fake.requests.length = 0;
      await s.faultTarget.flags.set('payment.latencyMs', 300);
      const put = fake.requests.at(-1)!;
      expect(`${put.method} ${put.path}`).toBe(
        'PUT /api/v1/namespaces/firedrill-system/services/flags:8080/proxy/flags/payment.latencyMs',
      );
      expect(put.body).toBe('300');
      expect(put.headers['x-actor']).toBe('operator');

      expect(await s.faultTarget.redis.command(['CONFIG', 'GET', 'maxmemory'])).toEqual([
        'maxmemory',
        String(96 * 1024 * 1024),
      ]);
      // The password comes from the applied Secret; the newest running redis pod is the target.
      expect(redis.commands[0]).toEqual(['AUTH', 'firedrill-redis-3c1e']);
      expect(opened).toEqual(['shop/redis-5f7b8-new:6379']);
      expect((await s.faultTarget.objects.get('Deployment', 'shop', 'cart'))?.metadata.name).toBe('cart');
    } finally {
      await s.down();
    }
  });

  it('gives faults PostgreSQL as its superuser through a pod port-forward to the newest postgres pod', async () => {
    const pg = await FakePostgresServer.start();
    fake.put(
      running('postgres-6b5c-old', 'shop', 'postgres', [{ name: 'postgres' }], '2026-11-25T11:00:00Z'),
    );
    fake.put(
      running('postgres-6b5c-new', 'shop', 'postgres', [{ name: 'postgres' }], '2026-11-25T12:30:00Z'),
    );
    const { s } = substrate(new FakeKindCli(fake.kubeconfigYaml()), {
      portForwardFor: () => tcpTo(redis.port, opened, pg.port),
    });
    try {
      await s.up(new AbortController().signal, progress);
      // Bring-up tried to read the state (statements with parameters, which this fake refuses).
      expect(pg.sessions.length).toBeGreaterThan(0);
      pg.sessions.length = 0;
      opened.length = 0;
      expect(await s.faultTarget.postgres?.query('SELECT 1 AS answer')).toEqual([{ answer: 1 }]);
      // The password comes from the applied postgres-auth Secret, the database is the app's.
      expect(pg.sessions).toEqual([
        {
          user: 'postgres',
          database: 'shop',
          password: 'firedrill-pg-7a41',
          queries: ['SELECT 1 AS answer'],
        },
      ]);
      expect(opened).toEqual(['shop/postgres-6b5c-new:5432']);
      expect(s.endpoints().postgres).toMatch(/^127\.0\.0\.1:\d+$/);
    } finally {
      await s.down();
      await pg.close();
    }
  });

  it('captures events, logs (current and previous) in the window, traces from Jaeger and alerts via Prometheus', async () => {
    const { s } = substrate(new FakeKindCli(fake.kubeconfigYaml()));
    await s.up(new AbortController().signal, progress);
    try {
      const window = { start: new Date('2026-11-25T12:00:00Z'), end: new Date('2026-11-25T12:05:00Z') };
      expect((await s.capture.events()).map((e) => e.reason)).toEqual(['BackOff']);

      fake.requests.length = 0;
      const logs = await s.capture.logs(window);
      expect(logs).toEqual([
        {
          ts: '2026-11-25T12:00:30.000Z',
          entity: 'shop/Pod/cart-6c9d4-x2x7q',
          container: 'cart',
          stream: 'stdout',
          line: '{"msg":"out of memory"}',
        },
        {
          ts: '2026-11-25T12:01:00.250Z',
          entity: 'shop/Pod/cart-6c9d4-x2x7q',
          container: 'cart',
          stream: 'stdout',
          line: '{"msg":"started"}',
        },
      ]);
      const logCalls = fake.calls((r) => r.path.endsWith('/log'));
      expect(logCalls).toContain(
        'GET /api/v1/namespaces/shop/pods/cart-6c9d4-x2x7q/log?container=cart&timestamps=true&previous=true&sinceTime=2026-11-25T12%3A00%3A00.000Z&limitBytes=8388608',
      );
      // Containers that never restarted are read once, without previous=true.
      expect(logCalls.filter((c) => c.includes('/redis-') && c.includes('previous=true'))).toEqual([]);

      const spans = await s.capture.traces({
        start: new Date('2023-01-15T23:38:00Z'),
        end: new Date('2023-01-15T23:39:00Z'),
      });
      expect(spans.map((x) => `${x.service} ${x.name}`)).toEqual(['payment charge']);
      expect(fake.calls((r) => r.path.includes('/services/jaeger:16686/proxy/api/v3/traces'))).toHaveLength(
        1,
      );

      const alerts = await s.capture.prometheus.alerts();
      expect(alerts.map((a) => a.labels.alertname)).toEqual(['KubePodCrashLooping']);
      expect((await s.capture.objects.list('Node')).map((n) => n.metadata.name)).toEqual([
        'shop-lab-control-plane',
      ]);
    } finally {
      await s.down();
    }
  });

  it('records the server version, the node image and every container image digest', async () => {
    const { s } = substrate(new FakeKindCli(fake.kubeconfigYaml()));
    await s.up(new AbortController().signal, progress);
    try {
      const env = await s.environment();
      expect(env).toMatchObject({
        substrate: 'kind',
        kubernetes: { gitVersion: 'v1.34.0' },
        kind: { cluster: 'shop-lab', version: '0.30.0', nodeImage: PINNED_NODE, created: true },
        nodes: [
          { name: 'shop-lab-control-plane', kubelet: 'v1.34.0', containerRuntime: 'containerd://2.1.4' },
        ],
      });
      expect(
        (env.images as Record<string, { imageID: string }>)['shop/cart-6c9d4-x2x7q/cart']?.imageID,
      ).toMatch(/@sha256:[0-9a-f]{64}$/);
    } finally {
      await s.down();
    }
  });

  it('resets: re-applies only the shop, clears settings, replaces restarted pods and starts Prometheus fresh', async () => {
    const { s } = substrate(new FakeKindCli(fake.kubeconfigYaml()));
    await s.up(new AbortController().signal, progress);
    try {
      fake.requests.length = 0;
      await s.reset(new AbortController().signal, progress);
      const applied = fake.requests
        .filter((r) => r.method === 'PATCH')
        .map((r) => sentObject(r.body).metadata.name);
      expect(applied).toEqual((await shopObjects()).map((o) => o.metadata.name));
      expect(fake.calls()).toContain(
        'DELETE /api/v1/namespaces/firedrill-system/services/flags:8080/proxy/flags',
      );
      // cart restarted during the previous run; Prometheus always starts over. Redis matches its baseline.
      expect(fake.calls((r) => r.method === 'DELETE' && r.path.includes('/pods/'))).toEqual([
        'DELETE /api/v1/namespaces/shop/pods/cart-6c9d4-x2x7q?propagationPolicy=Background',
        'DELETE /api/v1/namespaces/observability/pods/prometheus-7d8-abc?propagationPolicy=Background',
      ]);
      expect(phases).toContain('reset: fresh Prometheus and Alertmanager');
      // Every Deployment without data is deployed afresh (gone before the manifests are applied again).
      const deleted = fake.calls((r) => r.method === 'DELETE' && r.path.includes('/deployments/'));
      expect(deleted.length).toBeGreaterThan(0);
      expect(deleted.some((c) => /\/deployments\/(redis|postgres)\b/.test(c))).toBe(false);
      const firstApply = fake.requests.findIndex((r) => r.method === 'PATCH');
      const lastDelete = Math.max(
        ...fake.requests.map((r, k) => (r.method === 'DELETE' && r.path.includes('/deployments/') ? k : -1)),
      );
      expect(lastDelete).toBeLessThan(firstApply);

      // A fault left Redis without its memory cap: reset restarts it.
      redis.config.maxmemory = '0';
      fake.requests.length = 0;
      await s.reset(new AbortController().signal, progress);
      expect(fake.calls((r) => r.method === 'DELETE' && r.path.includes('/pods/'))).toEqual([
        'DELETE /api/v1/namespaces/shop/pods/redis-5f7b8-new?propagationPolicy=Background',
        'DELETE /api/v1/namespaces/shop/pods/redis-5f7b8-old?propagationPolicy=Background',
      ]);
    } finally {
      await s.down();
    }
  });

  it('waits for replaced pods to be gone and the rest ready, naming the ones that are not', async () => {
    const { s } = substrate(new FakeKindCli(fake.kubeconfigYaml()), { readyTimeoutMs: 1500 });
    await s.up(new AbortController().signal, progress);
    try {
      const stuck = running('checkout-1', 'shop', 'checkout', [{ name: 'checkout' }]);
      stuck.status = { ...stuck.status, conditions: [{ type: 'Ready', status: 'False' }] };
      fake.put(stuck);
      const err = await s.reset(new AbortController().signal, progress).catch((e: unknown) => e);
      expect((err as Error).message).toMatch(
        /timed out after 1500 ms waiting for pods in shop to be replaced and ready; still waiting for: shop\/Pod\/checkout-1 \(not ready\)/,
      );
    } finally {
      await s.down();
    }
  });

  it('reuses an existing cluster and leaves it running on down', async () => {
    const kind = new FakeKindCli(fake.kubeconfigYaml(), ['shop-lab']);
    const { s } = substrate(kind, { buildImage: false });
    await s.up(new AbortController().signal, progress);
    await s.down();
    expect(kind.calls).toEqual([
      'check',
      'getClusters',
      `loadDockerImage ${SHOP_IMAGE} shop-lab`,
      'getKubeconfig shop-lab',
    ]);
    expect(phases).toContain('up: reusing kind cluster shop-lab');
  });

  it('keeps a cluster it created when asked to', async () => {
    const kind = new FakeKindCli(fake.kubeconfigYaml());
    const { s } = substrate(kind, { keepCluster: true });
    await s.up(new AbortController().signal, progress);
    await s.down();
    expect(kind.calls).not.toContain('deleteCluster shop-lab');
  });

  it('exports kind logs and says where when the Deployments never become ready', async () => {
    await fake.close();
    fake = await FakeApiServer.start({ objects: CLUSTER_OBJECTS, autoReady: false, proxy });
    const kind = new FakeKindCli(fake.kubeconfigYaml());
    const { s } = substrate(kind, { readyTimeoutMs: 600 });
    const err = await s.up(new AbortController().signal, progress).catch((e: unknown) => e);
    await s.down();
    expect(err).toBeInstanceOf(FiredrillError);
    expect((err as FiredrillError).exitCode).toBe(ExitCode.SubstrateError);
    expect((err as Error).message).toMatch(/timed out after 600 ms waiting for Deployments/);
    expect((err as Error).message).toContain(`kind logs of the cluster's nodes: ${logsDir}`);
    expect(kind.calls).toContain(`exportLogs shop-lab ${logsDir}`);
    // The cluster this substrate created goes on down, logs saved first.
    expect(kind.calls.slice(-2)).toEqual([`exportLogs shop-lab ${logsDir}`, 'deleteCluster shop-lab']);
  });

  it('exports logs and removes the retained nodes when kind create cluster fails', async () => {
    const failure = new KindCommandError(
      'kind create cluster --name firedrill',
      1,
      'ERROR: failed to create cluster',
    );
    const kind = new FakeKindCli(fake.kubeconfigYaml(), [], { create: failure });
    const { s, builds } = substrate(kind);
    const err = await s.up(new AbortController().signal, progress).catch((e: unknown) => e);
    expect((err as Error).message).toContain('ERROR: failed to create cluster');
    expect((err as Error).message).toContain(`kind logs of the cluster's nodes: ${logsDir}`);
    expect(kind.calls.slice(-2)).toEqual([`exportLogs shop-lab ${logsDir}`, 'deleteCluster shop-lab']);
    expect(builds).toEqual([]);
    expect(fake.requests).toEqual([]);
  });

  it('stops at a missing prerequisite before touching anything', async () => {
    const kind = new FakeKindCli(fake.kubeconfigYaml(), [], {
      check: new MissingToolError('kind', 'brew install kind'),
    });
    const { s } = substrate(kind);
    await expect(s.up(new AbortController().signal, progress)).rejects.toThrow(MissingToolError);
    expect(kind.calls).toEqual(['check']);
  });
});
