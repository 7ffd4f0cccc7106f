import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExecaCommandRunner } from '../../../process/execa-command-runner.js';
import { isRunning, processesInGroup } from '../../../process/proc-info.js';
import { ProcessRegistry } from '../../../process/process-registry.js';
import { AlertmanagerHttpClient } from '../../../telemetry/alertmanager-http-client.js';
import { PrometheusHttpClient } from '../../../telemetry/prometheus-http-client.js';
import { requireTool } from '../../../tools/find-tool.js';
import { PROMTOOL } from '../../../tools/tool-specs.js';
import { waitFor } from '../../../util/wait-for.js';
import { AlertmanagerProcess } from './alertmanager-process.js';
import { hostPort, PrometheusProcess } from './prometheus-process.js';
import { RedisProcess } from './redis-process.js';
import { redisCommand, RedisReplyError } from './redis-resp.js';

// The real pipeline: a metrics endpoint scraped by a real Prometheus, a rule firing into a real
// Alertmanager, and a real redis-server. Scrape and evaluation every second to keep it quick.

const workDir = mkdtempSync(join(tmpdir(), 'fd-obs-'));
const registry = new ProcessRegistry();
let target: Server;
let targetPort: number;
let prom: PrometheusProcess;
let am: AlertmanagerProcess;
let redis: RedisProcess;
let promApi: PrometheusHttpClient;
let amApi: AlertmanagerHttpClient;
const promLines: string[] = [];

const rulesFile = join(workDir, 'rules.yml');
writeFileSync(
  rulesFile,
  `groups:
  - name: firedrill-test
    rules:
      - alert: ALWAYS
        expr: vector(1)
        for: 0s
        labels: { severity: info }
        annotations: { summary: always firing }
`,
);

beforeAll(async () => {
  target = createServer((req, res) => {
    if (req.url === '/metrics') {
      res.end('# TYPE shop_requests_total counter\nshop_requests_total{route="/cart"} 42\n');
    } else if (req.url === '/ksm') {
      // kube-state-metrics shape: the series name their own namespace and pod.
      res.end('kube_pod_status_ready{namespace="shop",pod="cart-0",condition="true"} 1\n');
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
  targetPort = (target.address() as AddressInfo).port;

  [am, redis] = await Promise.all([
    AlertmanagerProcess.start({ workDir, registry }),
    RedisProcess.start({ workDir, registry, password: 'se"cret', maxmemory: '32mb' }),
  ]);
  prom = await PrometheusProcess.start({
    workDir,
    registry,
    scrapeIntervalSec: 1,
    evaluationIntervalSec: 1,
    ruleFiles: [rulesFile],
    alertmanagers: [hostPort(am.url)],
    targets: [
      {
        job: 'shop',
        address: `127.0.0.1:${targetPort}`,
        labels: { namespace: 'shop', pod: 'cart-0', app: 'cart' },
      },
    ],
    extraJobs: [
      {
        job: 'kube-state-metrics',
        targets: [`127.0.0.1:${targetPort}`],
        metricsPath: '/ksm',
        honorLabels: true,
        labels: { namespace: 'monitoring' },
      },
    ],
    onLine: (l) => promLines.push(l.line),
  });
  promApi = new PrometheusHttpClient({ baseUrl: prom.url });
  amApi = new AlertmanagerHttpClient({ baseUrl: am.url });
}, 60_000);

afterAll(async () => {
  await registry.stopAll(2000);
  await new Promise<void>((resolve) => target?.close(() => resolve()));
});

describe('local observability processes', () => {
  it('run on loopback with the installed binaries and report their versions', () => {
    for (const svc of [prom, am, redis]) {
      expect(svc.host).toBe('127.0.0.1');
      expect(svc.port).toBeGreaterThan(0);
      expect(svc.binary.path).toMatch(/^\//);
      expect(svc.binary.version).toMatch(/^\d+\.\d+\.\d+/);
      expect(isRunning(svc.pid)).toBe(true);
    }
    expect(prom.url).toBe(`http://127.0.0.1:${prom.port}`);
    expect(promLines.some((l) => /Server is ready to receive web requests/.test(l))).toBe(true);
  });

  it('writes a Prometheus config that promtool accepts', async () => {
    const promtool = await requireTool(PROMTOOL);
    const r = await new ExecaCommandRunner().run(promtool.path, ['check', 'config', prom.configPath]);
    expect(r.exitCode).toBe(0);
  });

  it('delivers an ALWAYS alert through Prometheus to Alertmanager', async () => {
    const alert = await waitFor(
      'ALWAYS in Alertmanager',
      async () => (await amApi.alerts()).find((a) => a.labels.alertname === 'ALWAYS'),
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    expect(alert.status.state).toBe('active');
    expect(alert.labels.severity).toBe('info');
    expect(alert.annotations.summary).toBe('always firing');
    const promAlerts = await promApi.alerts();
    expect(promAlerts.find((a) => a.labels.alertname === 'ALWAYS')?.state).toBe('firing');
    const groups = await promApi.rules({ type: 'alert' });
    expect(groups[0].rules[0]).toMatchObject({ type: 'alerting', name: 'ALWAYS', health: 'ok' });
  }, 35_000);

  it('runs Alertmanager with clustering disabled and the shared config', async () => {
    const status = await amApi.status();
    expect(status.clusterStatus).toBe('disabled');
    expect(status.configYaml).toMatch(/receiver: "?null"?/);
    expect(readFileSync(am.configPath, 'utf8')).toMatch(/null/);
  });

  it('scrapes targets with pod labels and answers range queries', async () => {
    const series = await waitFor(
      'two scraped samples',
      async () => {
        const end = Date.now();
        const r = await promApi.queryRange('shop_requests_total', end - 60_000, end, 1);
        return r.length > 0 && r[0].values.length >= 2 ? r : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 500 },
    );
    expect(series[0].metric).toEqual({
      __name__: 'shop_requests_total',
      route: '/cart',
      job: 'shop',
      instance: `127.0.0.1:${targetPort}`,
      namespace: 'shop',
      pod: 'cart-0',
      app: 'cart',
    });
    expect(series[0].values.every(([ts, v]) => ts > 1e9 && v === 42)).toBe(true);

    const instant = await promApi.query('sum(shop_requests_total)');
    expect(instant.resultType).toBe('vector');
    if (instant.resultType === 'vector') expect(instant.result[0].value[1]).toBe(42);

    // honor_labels: the exposed namespace wins over the job's static label.
    const ksm = await waitFor(
      'kube_pod_status_ready',
      async () => {
        const r = await promApi.series(['kube_pod_status_ready']);
        return r.length > 0 ? r : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 250 },
    );
    expect(ksm[0]).toMatchObject({ namespace: 'shop', pod: 'cart-0', job: 'kube-state-metrics' });
    expect(await promApi.labelValues('pod')).toContain('cart-0');
  }, 30_000);

  it('reloads with a changed target list and refuses an invalid one', async () => {
    await prom.reload({
      targets: [
        {
          job: 'shop',
          address: `127.0.0.1:${targetPort}`,
          labels: { namespace: 'shop', pod: 'cart-0', app: 'cart' },
        },
        {
          job: 'shop',
          address: `127.0.0.1:${targetPort}`,
          labels: { namespace: 'shop', pod: 'cart-1', app: 'cart' },
        },
      ],
    });
    const pods = await waitFor(
      'cart-1 scraped',
      async () => {
        const t = await promApi.targets('active');
        const up = t.activeTargets
          .filter((x) => x.labels.job === 'shop' && x.health === 'up')
          .map((x) => x.labels.pod);
        return up.includes('cart-1') ? up : undefined;
      },
      { timeoutMs: 15_000, intervalMs: 250 },
    );
    expect(pods.sort()).toEqual(['cart-0', 'cart-1']);

    const badRules = join(workDir, 'bad-rules.yml');
    writeFileSync(
      badRules,
      'groups:\n  - name: bad\n    rules:\n      - alert: Broken\n        expr: sum(\n',
    );
    const before = readFileSync(prom.configPath, 'utf8');
    await expect(prom.reload({ ruleFiles: [rulesFile, badRules] })).rejects.toThrow(
      /prometheus rejected the new config/,
    );
    expect(readFileSync(prom.configPath, 'utf8')).toBe(before);
    expect(prom.config.ruleFiles).toEqual([rulesFile]);
  }, 25_000);

  it('surfaces API errors with the URL and Prometheus message', async () => {
    await expect(promApi.query('sum(')).rejects.toMatchObject({
      name: 'PrometheusApiError',
      status: 400,
      errorType: 'bad_data',
      url: `${prom.url}/api/v1/query`,
    });
  });

  it('runs Redis with a password and lets exec change its settings', async () => {
    expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
    await expect(redis.ping()).resolves.toBe(true);
    await expect(redis.exec('SET', 'cart:1', 'two items')).resolves.toBe('OK');
    await expect(redis.exec('GET', 'cart:1')).resolves.toBe('two items');
    await expect(redis.exec('CONFIG', 'GET', 'maxmemory')).resolves.toEqual([
      'maxmemory',
      String(32 * 1024 * 1024),
    ]);
    await expect(redis.exec('CONFIG', 'GET', 'bind')).resolves.toEqual(['bind', '127.0.0.1']);
    await expect(redis.exec('CONFIG', 'GET', 'save')).resolves.toEqual(['save', '']);

    const endpoint = { host: '127.0.0.1', port: redis.port };
    await expect(redisCommand(endpoint, ['GET', 'cart:1'])).rejects.toMatchObject({ code: 'NOAUTH' });

    // A fault changing the password, then its undo: exec follows the password it set.
    await redis.exec('CONFIG', 'SET', 'requirepass', 'rotated');
    await expect(redisCommand({ ...endpoint, password: 'se"cret' }, ['PING'])).rejects.toBeInstanceOf(
      RedisReplyError,
    );
    await expect(redis.exec('PING')).resolves.toBe('PONG');
    await redis.exec('CONFIG', 'SET', 'requirepass', 'se"cret');
    await expect(redisCommand({ ...endpoint, password: 'se"cret' }, ['PING'])).resolves.toBe('PONG');
  });

  it('stop() leaves no process behind', async () => {
    const pids = [prom.pid, am.pid, redis.pid];
    const exits = await Promise.all([prom.stop(), am.stop(), redis.stop()]);
    // All three shut down cleanly on SIGTERM, without needing SIGKILL.
    for (const exit of exits) expect(exit.code === 0 || exit.signal === 'SIGTERM').toBe(true);
    for (const pid of pids) {
      expect(isRunning(pid)).toBe(false);
      expect(processesInGroup(pid)).toEqual([]);
    }
    expect(registry.size).toBe(0);
  }, 20_000);
});
