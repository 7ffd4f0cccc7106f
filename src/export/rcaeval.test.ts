import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MetricSeries } from '../bundle/records.js';
import { writeSyntheticBundle } from '../corpus/testing/synthetic-bundle.js';
import { exportBundle } from './export-bundle.js';
import { LOG_COLUMNS, TRACE_COLUMNS, bucketQuantile } from './rcaeval.js';
import { readTable } from './testing/read-table.js';

const FIXTURE = join(process.cwd(), 'tests', 'fixtures', 'bundle', 'sample-r0');

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'fd-rcaeval-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('rcaeval export of the sample bundle', () => {
  it('writes the RCAEval case files with their columns and row counts', async () => {
    const r = await exportBundle('rcaeval', FIXTURE, join(root, 'case'));
    expect((await readdir(r.dir)).sort()).toEqual([
      'data.csv',
      'inject_time.txt',
      'logs.csv',
      'metrics.csv',
      'traces.csv',
    ]);
    expect((await readdir(r.truthDir)).sort()).toEqual(['ground_truth.json', 'root_cause.txt']);
    expect(await readFile(join(r.dir, 'inject_time.txt'), 'utf8')).toBe(
      `${Date.UTC(2025, 0, 1, 10, 5) / 1000}\n`,
    );
    expect(await readFile(join(r.truthDir, 'root_cause.txt'), 'utf8')).toBe('payment\n');

    const metrics = await readTable(join(r.dir, 'metrics.csv'), ',');
    expect(metrics.header).toEqual([
      'time',
      'payment_http_request_duration_seconds_bucket{le=0.5}',
      'payment_up',
    ]);
    expect(metrics.rows).toHaveLength(10);
    expect(metrics.rows[0]).toEqual({
      time: String(Date.UTC(2025, 0, 1, 10) / 1000),
      'payment_http_request_duration_seconds_bucket{le=0.5}': '100',
      payment_up: '1',
    });
    expect(metrics.rows[9].payment_up).toBe('');

    const logs = await readTable(join(r.dir, 'logs.csv'), ',');
    expect(logs.header).toEqual([...LOG_COLUMNS]);
    expect(logs.rows).toHaveLength(20);
    expect(logs.rows[0]).toMatchObject({
      timestamp: '1735725900000000000',
      container_name: 'payment',
      pod_name: 'payment-0',
      level: 'INFO',
    });
    expect(JSON.parse(logs.rows[0].message)).toMatchObject({ msg: 'request done' });

    const traces = await readTable(join(r.dir, 'traces.csv'), ',');
    expect(traces.header).toEqual([...TRACE_COLUMNS]);
    expect(traces.rows).toHaveLength(2);
    expect(traces.rows[1]).toEqual({
      traceID: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanID: '53995c3f42cd8ad8',
      parentSpanID: '00f067aa0ba902b7',
      serviceName: 'payment',
      operationName: 'POST /pay',
      startTime: String(Date.UTC(2025, 0, 1, 10, 6, 0, 50) * 1000),
      duration: '850000',
      statusCode: '200',
    });
  });
});

describe('rcaeval data.csv', () => {
  it('derives per-service cpu, mem, workload, error and latency quantiles', async () => {
    const t0 = 1_735_725_600;
    const step = (n: number): number => t0 + n * 10;
    const counter = (name: string, labels: Record<string, string>, perStep: number): MetricSeries => ({
      name,
      labels,
      points: Array.from({ length: 4 }, (_, i) => [step(i), i * perStep]),
    });
    const base = { namespace: 'shop', service: 'payment', pod: 'payment-0' };
    const dir = await writeSyntheticBundle(root, 'derived', {
      scenarioId: 'x',
      rootCauses: [{ id: 'shop/Deployment/payment' }],
      metrics: [
        counter(
          'container_cpu_usage_seconds_total',
          { namespace: 'shop', pod: 'payment-0', container: 'payment' },
          5,
        ),
        {
          name: 'container_memory_working_set_bytes',
          labels: { namespace: 'shop', pod: 'payment-0' },
          points: [
            [step(1), 1000],
            [step(2), 3000],
          ],
        },
        counter('http_server_requests_total', { ...base, status: '200' }, 80),
        counter('http_server_requests_total', { ...base, status: '503' }, 20),
        // 100 requests per step: 50 under 0.1 s, 90 under 0.5 s, all under 1 s
        counter('http_server_request_duration_seconds_bucket', { ...base, le: '0.1' }, 50),
        counter('http_server_request_duration_seconds_bucket', { ...base, le: '0.5' }, 90),
        counter('http_server_request_duration_seconds_bucket', { ...base, le: '1' }, 100),
        counter('http_server_request_duration_seconds_bucket', { ...base, le: '+Inf' }, 100),
      ],
    });
    const r = await exportBundle('rcaeval', dir, join(root, 'derived-case'));
    const data = await readTable(join(r.dir, 'data.csv'), ',');
    expect(data.header).toEqual([
      'time',
      'payment_cpu',
      'payment_error',
      'payment_latency-50',
      'payment_latency-90',
      'payment_mem',
      'payment_workload',
    ]);
    expect(data.rows).toHaveLength(3);
    expect(data.rows[1]).toEqual({
      time: String(step(2)),
      payment_cpu: '0.5',
      payment_error: '2',
      'payment_latency-50': '0.1',
      'payment_latency-90': '0.5',
      payment_mem: '3000',
      payment_workload: '10',
    });
  });

  it('computes histogram quantiles like Prometheus', () => {
    const b = new Map([
      [0.1, 50],
      [0.5, 90],
      [1, 100],
      [Infinity, 100],
    ]);
    expect(bucketQuantile(0.5, b)).toBeCloseTo(0.1);
    expect(bucketQuantile(0.7, b)).toBeCloseTo(0.3);
    expect(bucketQuantile(0.95, b)).toBeCloseTo(0.75);
    expect(bucketQuantile(0.5, new Map([[Infinity, 0]]))).toBeNull();
    expect(
      bucketQuantile(
        0.99,
        new Map([
          [0.1, 10],
          [Infinity, 100],
        ]),
      ),
    ).toBe(0.1);
  });
});
