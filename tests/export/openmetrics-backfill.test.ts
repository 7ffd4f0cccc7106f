import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { INJECTED_AT, STEP_MS, writeIncidentBundle } from '../../src/bundle/testing/incident-bundle.js';
import { exportBundle, METRICS_FILE } from '../../src/export/index.js';
import { requireTool } from '../manifests/tools.js';

/**
 * The OpenMetrics export as Prometheus' own tools take it: `promtool tsdb create-blocks-from openmetrics`
 * backfills it into TSDB blocks, a real Prometheus started on those blocks answers queries with the
 * exported values. promtool and prometheus are Debian packages install-prereqs.sh installs (CI too), so a
 * missing one fails here with the fix rather than skipping.
 */

const promtool = requireTool('promtool');
const prometheus = promtool.replace(/promtool$/, 'prometheus');

let dir: string;
let server: ChildProcess | undefined;
let url = '';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function query(
  expr: string,
  atSec: number,
): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>> {
  const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expr)}&time=${atSec}`);
  const body = (await res.json()) as {
    status: string;
    data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> };
  };
  expect(body.status).toBe('success');
  return body.data.result;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fd-om-'));
  const bundle = await writeIncidentBundle(join(dir, 'bundle'));
  const r = await exportBundle('openmetrics', bundle, join(dir, 'om'));
  const data = join(dir, 'tsdb');
  await execa(promtool, ['tsdb', 'create-blocks-from', 'openmetrics', join(r.dir, METRICS_FILE), data]);
  await writeFile(join(dir, 'empty.yml'), '');
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  server = spawn(
    prometheus,
    [
      `--config.file=${join(dir, 'empty.yml')}`,
      `--storage.tsdb.path=${data}`,
      // the fixture's samples are from 2025: keep them rather than expire them at start
      '--storage.tsdb.retention.time=100y',
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdio: 'ignore' },
  );
  for (let i = 0; i < 150; i++) {
    const ok = await fetch(`${url}/-/ready`).then(
      (x) => x.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((res) => setTimeout(res, 200));
  }
  throw new Error('prometheus did not become ready within 30 s');
}, 60_000);

afterAll(async () => {
  if (server && server.exitCode === null) {
    const exited = new Promise((res) => server?.once('exit', res));
    server.kill('SIGTERM');
    // a graceful shutdown may take a while; the test does not need one
    const t = setTimeout(() => server?.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(t);
  }
  await rm(dir, { recursive: true, force: true });
}, 15_000);

describe('OpenMetrics export backfilled with promtool', () => {
  it('becomes TSDB blocks', async () => {
    const blocks = (await readdir(join(dir, 'tsdb'))).filter((f) => /^[0-9A-Z]{26}$/.test(f));
    expect(blocks.length).toBeGreaterThan(0);
  });

  it('answers queries with the captured values (counters, histogram buckets, a gauge after NaN)', async () => {
    const t = (INJECTED_AT + 4 * STEP_MS) / 1000;
    const requests = await query('http_server_requests_total{service="payment",status="200"}', t);
    // 4 requests/s since 10:00:00, 15 s a step: 60 a step, 25 steps at 10:06:00
    expect(requests.map((r) => r.value[1])).toEqual(['1500']);
    expect(requests[0].metric).toMatchObject({
      namespace: 'shop',
      pod: 'payment-7d4b9c6f5d-abcde',
      job: 'shop',
    });
    const slow = await query('http_server_request_duration_seconds_bucket{service="payment",le="1"}', t);
    expect(slow.map((r) => r.value[1])).toEqual(['1260']);
    const p95 = await query(
      'histogram_quantile(0.95, sum by (le) (rate(http_server_request_duration_seconds_bucket{service="payment"}[1m])))',
      t,
    );
    expect(Number(p95[0].value[1])).toBeGreaterThan(1);
    const rss = await query(
      'process_resident_memory_bytes{service="cart"}',
      (INJECTED_AT - 5 * 60_000 + 30_000) / 1000,
    );
    expect(rss.map((r) => r.value[1])).toEqual(['53500000.5']);
  });
});
