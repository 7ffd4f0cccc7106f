import { execFileSync } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadManifests, SHOP_MANIFESTS_DIR } from '../../src/manifests/index.js';
import { waitFor } from '../../src/util/wait-for.js';
import { dockerImagesUnavailable } from '../../src/airgap/docker-images.js';
import { dockerRunFor, type DockerRun } from './deployment-to-docker.js';

/**
 * The shop image, for real: every Deployment of manifests/shop started as a container of the image it
 * names (acme/shop and redis, built without a registry by scripts/make-local-images.sh), with the
 * manifests' command, args, environment, Secrets, ConfigMaps, user and read-only root, on a Docker
 * network where the in-cluster names resolve. Proves every entry point starts, answers its readiness
 * probe, serves metrics and exports traces. Opt-in with FIREDRILL_E2E=image; needs a Docker daemon.
 */

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

function docker(args: string[]): string {
  return execFileSync('docker', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

function skipReason(): string | undefined {
  if (process.env.FIREDRILL_E2E !== 'image') return 'FIREDRILL_E2E=image not set';
  return dockerImagesUnavailable(['acme/shop:0.1.0', 'redis:7.0.15']);
}

const reason = skipReason();
if (reason) console.log(`tests/image/shop-image.e2e.test.ts skipped: ${reason}`);
const suite = reason ? describe.skip : describe;

async function httpGet(url: string): Promise<{ status: number; text: string }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
  return { status: res.status, text: await res.text() };
}

suite('the shop image on a Docker network, as the manifests run it', () => {
  const network = `shopcheck-${process.pid}`;
  const started: string[] = [];
  let runs: DockerRun[] = [];
  let workDir = '';
  const ipOf = (name: string): string =>
    docker(['inspect', '--format', `{{(index .NetworkSettings.Networks "${network}").IPAddress}}`, name]);

  beforeAll(async () => {
    const objects = await loadManifests(SHOP_MANIFESTS_DIR);
    workDir = await mkdtemp(join(tmpdir(), 'fd-image-'));
    docker(['network', 'create', network]);
    // The trace store's in-cluster name, answered by a sink that counts spans per service.
    docker([
      'run',
      '--detach',
      '--name',
      `trace-sink-${process.pid}`,
      '--network',
      network,
      '--network-alias',
      'jaeger.observability',
      '--entrypoint',
      'node',
      'acme/shop:0.1.0',
      '-e',
      TRACE_SINK,
    ]);
    started.push(`trace-sink-${process.pid}`);
    runs = objects.filter((o) => o.kind === 'Deployment').map((d) => dockerRunFor(d, objects, network));
    for (const run of runs) {
      const args: string[] = [];
      for (const a of run.args) {
        const m = /^\{\{volume:([^}]+)\}\}(.*)$/.exec(a);
        if (!m) {
          args.push(a);
          continue;
        }
        const dir = join(workDir, run.name, m[1] as string);
        await mkdir(dir, { recursive: true });
        for (const [file, text] of Object.entries(run.configFiles.get(m[1] as string) ?? {})) {
          await writeFile(join(dir, file), text, { mode: 0o644 });
        }
        args.push(`${dir}${m[2] ?? ''}`);
      }
      docker(['run', ...args]);
      started.push(run.name);
    }
  }, 120_000);

  afterAll(async () => {
    for (const name of started) {
      try {
        docker(['rm', '--force', name]);
      } catch {
        // already gone
      }
    }
    try {
      docker(['network', 'rm', network]);
    } catch {
      // not created
    }
    if (workDir) await rm(workDir, { recursive: true, force: true });
  }, 60_000);

  it('starts a container for every Deployment of manifests/shop', () => {
    expect(runs.map((r) => r.name).sort()).toEqual(
      [
        'cart-shop',
        'catalog-shop',
        'checkout-shop',
        'currency-shop',
        'flags-firedrill-system',
        'frontend-shop',
        'loadgen-firedrill-system',
        'payment-shop',
        'redis-shop',
        'shipping-shop',
      ].sort(),
    );
  });

  it('every entry point answers its readiness probe (and keeps running)', async () => {
    const probed = runs.filter((r) => r.ready);
    expect(probed.length).toBe(9);
    const notReady = await waitFor(
      'every shop container to answer its readiness probe with 200',
      async () => {
        const pending: string[] = [];
        for (const r of probed) {
          const url = `http://${ipOf(r.name)}:${r.ready?.port}${r.ready?.path}`;
          const answer = await httpGet(url).catch((err: unknown) => ({ status: 0, text: String(err) }));
          if (answer.status !== 200) pending.push(`${r.name}: ${answer.status} ${answer.text.slice(0, 120)}`);
        }
        return pending.length === 0 ? pending : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 1000 },
    ).catch((err: unknown) => {
      const logs = runs.map((r) => `--- ${r.name}\n${docker(['logs', '--tail', '20', r.name])}`);
      throw new Error(`${String(err)}\n${logs.join('\n')}`);
    });
    expect(notReady).toEqual([]);
    const states = runs.map(
      (r) => `${r.name}: ${docker(['inspect', '--format', '{{.State.Status}}', r.name])}`,
    );
    expect(states).toEqual(runs.map((r) => `${r.name}: running`));
    // Redis has an exec probe: the same command the manifest runs.
    expect(
      docker(['exec', 'redis-shop', 'sh', '-c', 'redis-cli -a "$REDIS_PASSWORD" --no-auth-warning ping']),
    ).toBe('PONG');
  }, 120_000);

  it('every shop service serves Prometheus metrics', async () => {
    for (const r of runs.filter((x) => x.ready)) {
      const { status, text } = await httpGet(`http://${ipOf(r.name)}:${r.ready?.port}/metrics`);
      expect({ container: r.name, status }).toEqual({ container: r.name, status: 200 });
      expect(text).toMatch(/^# HELP /m);
    }
  }, 60_000);

  it('exports traces from the services the load reaches over OTLP/HTTP', async () => {
    const sink = `http://${ipOf(`trace-sink-${process.pid}`)}:4318/`;
    const expected = ['cart', 'catalog', 'checkout', 'currency', 'frontend', 'payment', 'shipping'];
    const seen = await waitFor(
      `spans from ${expected.join(', ')} at the trace sink`,
      async () => {
        const counts = JSON.parse((await httpGet(sink)).text) as Record<string, number>;
        return expected.every((s) => (counts[s] ?? 0) > 0) ? counts : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 2000 },
    );
    for (const s of expected) expect(seen[s]).toBeGreaterThan(0);
  }, 120_000);
});
