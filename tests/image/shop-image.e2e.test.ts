import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import {
  GenericContainer,
  Network,
  PullPolicy,
  Wait,
  getContainerRuntimeClient,
  type StartedNetwork,
  type StartedTestContainer,
} from 'testcontainers';
import { dockerImagesUnavailable } from '../../src/airgap/docker-images.js';
import type { KubeObject } from '../../src/kube/kube-object.js';
import { loadManifests, SHOP_MANIFESTS_DIR } from '../../src/manifests/index.js';
import { waitFor } from '../../src/util/wait-for.js';
import { loadVersions } from '../../src/versions/versions.js';
import { containerFor, type DeploymentContainer } from './deployment-to-docker.js';

/**
 * The shop image, for real: every Deployment of manifests/shop started with testcontainers as a container
 * of the image it names (acme/shop, redis and postgres, built without a registry by scripts/make-local-images.sh),
 * with the manifests' command, args, environment, Secrets, ConfigMaps, emptyDirs, user and read-only
 * root, on a Docker network where the in-cluster names resolve. Proves every entry point starts, answers
 * its readiness probe, serves metrics and exports traces. Opt-in with FIREDRILL_E2E=image (make
 * test-image); needs a Docker daemon holding the images.
 */

// Testcontainers would pull a missing image, and starts its Ryuk reaper (testcontainers/ryuk) before the
// first container; neither can be pulled without a registry. So the suite checks every image is in the
// daemon before it starts (and skips, saying which is missing, when one is not), and runs without Ryuk,
// stopping its containers and network in afterAll. A run killed before that leaves them behind:
// docker rm -f $(docker ps -aq --filter label=org.testcontainers=true). TESTCONTAINERS_RYUK_DISABLED=false
// in the environment brings Ryuk back where its image can be pulled.
process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';

const SHOP_IMAGE = loadVersions().images.shop.image;

const TRACE_SINK = `
const http = require('node:http');
const seen = {};
http.createServer((req, res) => {
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    if (req.method === 'POST' && req.url === '/v1/traces') {
      try {
        for (const rs of JSON.parse(body).resourceSpans ?? []) {
          const attr = (rs.resource?.attributes ?? []).find((a) => a.key === 'service.name');
          const name = attr?.value?.stringValue ?? '?';
          const spans = (rs.scopeSpans ?? []).reduce((n, s) => n + (s.spans ?? []).length, 0);
          seen[name] = (seen[name] ?? 0) + spans;
        }
      } catch (err) { res.writeHead(400); res.end(String(err)); return; }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(seen));
  });
}).listen(4318);
`;

const deploymentsOf = (objects: readonly KubeObject[]): KubeObject[] =>
  objects.filter((o) => o.kind === 'Deployment');

async function skipReason(): Promise<string | undefined> {
  if (process.env.FIREDRILL_E2E !== 'image') return 'FIREDRILL_E2E=image not set';
  const objects = (await loadManifests(SHOP_MANIFESTS_DIR)) as unknown as KubeObject[];
  const images = deploymentsOf(objects).flatMap((d) =>
    (d.spec as { template: { spec: { containers: Array<{ image: string }> } } }).template.spec.containers.map(
      (c) => c.image,
    ),
  );
  return dockerImagesUnavailable([...new Set([SHOP_IMAGE, ...images])]);
}

const reason = await skipReason();
// Straight to stderr: Jest hides console output of skipped suites unless --verbose.
if (reason) process.stderr.write(`tests/image/shop-image.e2e.test.ts skipped: ${reason}\n`);
const suite = reason ? describe.skip : describe;

async function httpGet(url: string): Promise<{ status: number; text: string }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
  return { status: res.status, text: await res.text() };
}

/** The last lines a container printed, kept because testcontainers removes a container that never got ready. */
function tailOf(stream: Readable, lines: string[]): void {
  stream.on('data', (chunk: Buffer | string) => {
    lines.push(...String(chunk).split('\n').filter(Boolean));
    lines.splice(0, Math.max(0, lines.length - 20));
  });
}

suite('the shop image on a Docker network, as the manifests run it', () => {
  let network: StartedNetwork | undefined;
  let configRoot = '';
  let sink: StartedTestContainer | undefined;
  let specs: DeploymentContainer[] = [];
  const running = new Map<string, StartedTestContainer>();
  const url = (c: StartedTestContainer, port: number, path: string): string =>
    `http://${c.getHost()}:${c.getMappedPort(port)}${path}`;
  const started = (name: string): StartedTestContainer => {
    const c = running.get(name);
    if (!c) throw new Error(`${name} is not running`);
    return c;
  };

  beforeAll(async () => {
    const objects = (await loadManifests(SHOP_MANIFESTS_DIR)) as unknown as KubeObject[];
    configRoot = await mkdtemp(join(tmpdir(), 'fd-image-'));
    network = await new Network().start();
    // The trace store's in-cluster name, answered by a sink that counts spans per service.
    sink = await new GenericContainer(SHOP_IMAGE)
      .withPullPolicy(PullPolicy.defaultPolicy())
      .withNetwork(network)
      .withNetworkAliases('jaeger.observability')
      .withEntrypoint(['node'])
      .withCommand(['-e', TRACE_SINK])
      .withExposedPorts(4318)
      .withWaitStrategy(Wait.forHttp('/', 4318))
      .start();

    const net = network;
    specs = await Promise.all(deploymentsOf(objects).map((d) => containerFor(d, objects, net, configRoot)));
    const logs = new Map(specs.map((s) => [s.name, [] as string[]]));
    // All at once: readiness has dependencies (the frontend's checks catalog, cart and checkout, cart's
    // checks Redis), so one container at a time would wait on one not started yet.
    const t0 = Date.now();
    const results = await Promise.allSettled(
      specs.map(async (s) => {
        const c = await s.container
          .withLogConsumer((stream) => tailOf(stream, logs.get(s.name) ?? []))
          .withStartupTimeout(90_000)
          .start();
        running.set(s.name, c);
      }),
    );
    const failed = results.flatMap((r, i) =>
      r.status === 'rejected'
        ? [`--- ${specs[i]?.name}: ${String(r.reason)}\n${(logs.get(specs[i]?.name ?? '') ?? []).join('\n')}`]
        : [],
    );
    if (failed.length > 0) throw new Error(`containers that never got ready:\n${failed.join('\n')}`);
    process.stderr.write(
      `tests/image: ${specs.length} containers ready ${((Date.now() - t0) / 1000).toFixed(1)} s after start\n`,
    );
  }, 180_000);

  afterAll(async () => {
    await Promise.allSettled([...running.values(), ...(sink ? [sink] : [])].map((c) => c.stop()));
    await network?.stop();
    if (configRoot) await rm(configRoot, { recursive: true, force: true });
  }, 60_000);

  it('starts a container for every Deployment of manifests/shop', () => {
    expect(specs.map((r) => r.name).sort()).toEqual(
      [
        'cart-shop',
        'catalog-shop',
        'checkout-shop',
        'currency-shop',
        'flags-firedrill-system',
        'frontend-shop',
        'loadgen-firedrill-system',
        'payment-shop',
        'postgres-shop',
        'redis-shop',
        'shipping-shop',
      ].sort(),
    );
    expect([...running.keys()].sort()).toEqual(specs.map((r) => r.name).sort());
  });

  it('every entry point answers its readiness probe (and keeps running)', async () => {
    const probed = specs.filter((s) => s.ready);
    expect(probed.length).toBe(9);
    // Each was ready when start() returned (its wait strategy is the probe); still ready once all are.
    for (const s of probed) {
      const answer = await httpGet(url(started(s.name), s.ready?.port ?? 0, s.ready?.path ?? ''));
      expect({ container: s.name, status: answer.status }).toEqual({ container: s.name, status: 200 });
    }
    const client = await getContainerRuntimeClient();
    const states = await Promise.all(
      specs.map(async (s) => {
        const info = await client.container.inspect(client.container.getById(started(s.name).getId()));
        return `${s.name}: ${info.State.Status}, restarts ${info.RestartCount}`;
      }),
    );
    expect(states).toEqual(specs.map((s) => `${s.name}: running, restarts 0`));
    // Redis and PostgreSQL have exec probes: the same commands the manifests run.
    const execProbed = specs.filter((s) => s.execProbe);
    expect(execProbed.map((s) => s.name).sort()).toEqual(['postgres-shop', 'redis-shop']);
    for (const s of execProbed) {
      const probe = await started(s.name).exec(s.execProbe ?? []);
      expect({ container: s.name, exitCode: probe.exitCode }).toEqual({ container: s.name, exitCode: 0 });
    }
    const ping = await started('redis-shop').exec([
      'sh',
      '-c',
      'redis-cli -a "$REDIS_PASSWORD" --no-auth-warning ping',
    ]);
    expect(ping.stdout.trim()).toBe('PONG');
  }, 60_000);

  it('serves the shop database to role shop (no superuser) with the Secret password; the server logs to the container log', async () => {
    const pg = started('postgres-shop');
    const psql = async (user: string, sql: string) =>
      pg.exec(['psql', '-h', '127.0.0.1', '-U', user, '-d', 'shop', '-Atc', sql], {
        env: { PGPASSWORD: 'firedrill-pg-7a41' },
      });
    const me = await psql('shop', 'SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user');
    expect({ exitCode: me.exitCode, out: me.stdout.trim() }).toEqual({ exitCode: 0, out: 'shop|f' });
    const admin = await psql('postgres', 'SHOW max_connections');
    expect(admin.stdout.trim()).toBe('50');
    await psql('shop', 'SELECT pg_sleep(0.3)');
    const logs = await waitFor(
      'the slow statement in the container log',
      async () => {
        const text = await new Promise<string>((resolve, reject) => {
          let out = '';
          void pg.logs().then((stream) => {
            stream.on('data', (c: Buffer | string) => (out += String(c)));
            stream.on('end', () => resolve(out));
            stream.on('error', reject);
            setTimeout(() => {
              stream.destroy();
              resolve(out);
            }, 1000);
          });
        });
        return text.includes('SELECT pg_sleep(0.3)') ? text : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 1000 },
    );
    expect(logs).toMatch(/shop@shop\/psql LOG: {2}duration: [\d.]+ ms {2}statement: SELECT pg_sleep\(0\.3\)/);
  }, 60_000);

  it("runs every container as the manifest's user, on a read-only root with its emptyDirs and ConfigMap files", async () => {
    for (const s of specs) {
      const c = started(s.name);
      const sh = async (script: string) => c.exec(['sh', '-c', script]);
      const facts = {
        container: s.name,
        uid: (await sh('id -u')).stdout.trim(),
        rootWritable: (await sh('touch /fd-probe')).exitCode === 0,
        writable: await Promise.all(
          s.expect.writable.map(async (dir) => (await sh(`touch ${dir}/fd-probe`)).exitCode === 0),
        ),
        files: Object.fromEntries(
          await Promise.all(
            Object.keys(s.expect.files).map(async (path) => [path, (await c.exec(['cat', path])).stdout]),
          ),
        ),
      };
      expect(facts).toEqual({
        container: s.name,
        uid: String(s.expect.uid),
        rootWritable: !s.expect.readOnlyRoot,
        writable: s.expect.writable.map(() => true),
        files: s.expect.files,
      });
    }
  }, 60_000);

  it('every shop service serves Prometheus metrics', async () => {
    for (const s of specs.filter((x) => x.ready)) {
      const { status, text } = await httpGet(url(started(s.name), s.ready?.port ?? 0, '/metrics'));
      expect({ container: s.name, status }).toEqual({ container: s.name, status: 200 });
      expect(text).toMatch(/^# HELP /m);
    }
  }, 60_000);

  it('exports traces from the services the load reaches over OTLP/HTTP', async () => {
    const counts = url(sink as StartedTestContainer, 4318, '/');
    const expected = ['cart', 'catalog', 'checkout', 'currency', 'frontend', 'payment', 'shipping'];
    const seen = await waitFor(
      `spans from ${expected.join(', ')} at the trace sink`,
      async () => {
        const byService = JSON.parse((await httpGet(counts)).text) as Record<string, number>;
        return expected.every((s) => (byService[s] ?? 0) > 0) ? byService : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 2000 },
    );
    for (const s of expected) expect(seen[s]).toBeGreaterThan(0);
  }, 120_000);
});
