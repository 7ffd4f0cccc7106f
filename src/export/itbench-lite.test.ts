import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { exportBundle } from './export-bundle.js';
import { METRIC_COLUMNS, OTEL_LOG_COLUMNS, OTEL_TRACE_COLUMNS } from './itbench-lite.js';
import { readTable } from './testing/read-table.js';
import { sampleGroundTruth, writeSampleBundle } from '../bundle/testing/sample-bundle.js';

const FIXTURE = join(process.cwd(), 'tests', 'fixtures', 'bundle', 'sample-r0');

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'fd-itbench-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('itbench-lite export of the sample bundle', () => {
  let out: string;
  let truth: string;
  beforeAll(async () => {
    const r = await exportBundle('itbench-lite', FIXTURE, join(root, 'Scenario-1'));
    out = r.dir;
    truth = r.truthDir;
    expect(truth).toBe(join(root, 'Scenario-1.truth'));
  });

  it('writes the ITBench-Lite layout, with the ground truth kept apart', async () => {
    expect((await readdir(out)).sort()).toEqual([
      'alerts',
      'k8s_events_raw.tsv',
      'k8s_objects_raw.tsv',
      'metrics',
      'otel_logs_raw.tsv',
      'otel_traces_raw.tsv',
    ]);
    expect(await readdir(truth)).toEqual(['ground_truth.yaml']);
    const gt = parse(await readFile(join(truth, 'ground_truth.yaml'), 'utf8')) as {
      groups: Array<Record<string, unknown>>;
      propagations: unknown[];
    };
    expect(gt.groups).toEqual([
      {
        id: 'payment-deployment',
        kind: 'Deployment',
        name: 'payment',
        namespace: 'shop',
        root_cause: true,
        entity: 'shop/Deployment/payment',
        aliases: ['shop/Pod/payment-0', 'shop/Service/payment'],
      },
    ]);
    expect(gt.propagations).toEqual([]);
  });

  it('replays the alert timeline as alerts_at_<time>.json polls plus one at capture', async () => {
    const files = (await readdir(join(out, 'alerts'))).sort();
    expect(files).toEqual([
      'alerts_at_2025-01-01T10-06-30.000000.json',
      'alerts_at_2025-01-01T10-07-30.000000.json',
      'alerts_at_2025-01-01T10-10-02.000000.json',
    ]);
    const read = async (f: string) =>
      JSON.parse(await readFile(join(out, 'alerts', f), 'utf8')) as {
        status: string;
        data: {
          alerts: Array<{ state: string; activeAt: string; labels: Record<string, string>; value?: string }>;
        };
      };
    const first = await read(files[0]);
    expect(first.status).toBe('success');
    expect(first.data.alerts).toEqual([
      expect.objectContaining({
        state: 'pending',
        activeAt: '2025-01-01T10:06:30.000Z',
        labels: expect.objectContaining({ alertname: 'PaymentLatencyHigh', service: 'payment' }),
      }),
    ]);
    const second = await read(files[1]);
    // firing since 10:07:30, active (pending then firing) since 10:06:30
    expect(second.data.alerts).toEqual([
      expect.objectContaining({ state: 'firing', activeAt: '2025-01-01T10:06:30.000Z', value: '0.84' }),
    ]);
    expect((await read(files[2])).data.alerts).toHaveLength(1);
  });

  it('writes the OTel tables with the ClickHouse columns and one row per record', async () => {
    const events = await readTable(join(out, 'k8s_events_raw.tsv'), '\t');
    expect(events.header).toEqual([...OTEL_LOG_COLUMNS]);
    expect(events.rows).toHaveLength(1);
    const body = JSON.parse(events.rows[0].Body) as { type: string; object: Record<string, unknown> };
    expect(body.type).toBe('ADDED');
    expect(body.object).toMatchObject({
      kind: 'Event',
      reason: 'Unhealthy',
      involvedObject: { kind: 'Pod', name: 'payment-0' },
    });
    expect(events.rows[0].Timestamp).toBe('2025-01-01 10:09:00.000000000');

    const objects = await readTable(join(out, 'k8s_objects_raw.tsv'), '\t');
    expect(objects.rows).toHaveLength(1);
    expect(JSON.parse(objects.rows[0].Body)).toMatchObject({
      kind: 'Deployment',
      metadata: { name: 'payment' },
    });
    expect(JSON.parse(objects.rows[0].Body)).not.toHaveProperty('entity');
    expect(JSON.parse(objects.rows[0].LogAttributes)).toEqual({ 'k8s.resource.name': 'deployments' });

    const logs = await readTable(join(out, 'otel_logs_raw.tsv'), '\t');
    expect(logs.header).toEqual([...OTEL_LOG_COLUMNS]);
    expect(logs.rows).toHaveLength(20);
    expect(logs.rows[0]).toMatchObject({ SeverityText: 'INFO', SeverityNumber: '9', ServiceName: 'payment' });
    expect(JSON.parse(logs.rows[0].ResourceAttributes)).toMatchObject({
      'k8s.pod.name': 'payment-0',
      'k8s.deployment.name': 'payment',
    });
    expect(JSON.parse(logs.rows[0].Body)).toMatchObject({ msg: 'request done' });

    const traces = await readTable(join(out, 'otel_traces_raw.tsv'), '\t');
    expect(traces.header).toEqual([...OTEL_TRACE_COLUMNS]);
    expect(traces.rows).toHaveLength(2);
    expect(traces.rows[1]).toMatchObject({
      TraceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      ParentSpanId: '00f067aa0ba902b7',
      ServiceName: 'payment',
      Duration: '850000000',
      StatusCode: 'Ok',
      // the sample's spans carry neither span.kind nor route/target attributes
      SpanKind: 'Internal',
    });
  });

  it('splits metrics into one file per object with every point a row', async () => {
    expect((await readdir(join(out, 'metrics'))).sort()).toEqual([
      'job_payment_raw.tsv',
      'service_payment_raw.tsv',
    ]);
    const svc = await readTable(join(out, 'metrics', 'service_payment_raw.tsv'), '\t');
    expect(svc.header).toEqual([...METRIC_COLUMNS]);
    expect(svc.rows).toHaveLength(10);
    expect(svc.rows[0]).toMatchObject({
      metric_name: 'http_request_duration_seconds_bucket',
      bucket_le: '0.5',
      value: '100',
      service_name: 'payment',
    });
    expect(JSON.parse(svc.rows[0].tags)).toEqual({
      __name__: 'http_request_duration_seconds_bucket',
      service: 'payment',
      le: '0.5',
    });
    expect((await readTable(join(out, 'metrics', 'job_payment_raw.tsv'), '\t')).rows).toHaveLength(2);
  });

  it('refuses to overwrite unless asked, and never puts the truth inside the export', async () => {
    await expect(exportBundle('itbench-lite', FIXTURE, out)).rejects.toThrow(
      /exists and is not empty; pass --replace/,
    );
    await expect(
      exportBundle('itbench-lite', FIXTURE, join(root, 'x'), { truthDir: join(root, 'x', 'gt') }),
    ).rejects.toThrow(/must not be inside/);
    await expect(exportBundle('nope', FIXTURE, join(root, 'y'))).rejects.toThrow(
      /unknown export format "nope"; choose one of itbench-lite, rcaeval/,
    );
    const again = await exportBundle('itbench-lite', FIXTURE, out, { replace: true });
    expect(again.files.find((f) => f.path === 'otel_logs_raw.tsv')?.rows).toBe(20);
    expect((await readdir(root)).filter((n) => n.startsWith('.'))).toEqual([]);
  });
});

describe('itbench-lite export of a ground truth with propagation', () => {
  it('gives every entity on a path a group and every hop a propagation with what was seen there', async () => {
    const truth = sampleGroundTruth();
    truth.rootCauses[0].propagation = [
      {
        symptom: 'shop/Service/checkout',
        alerts: ['ShopDependencyErrors'],
        reached: true,
        path: [
          { from: 'shop/Deployment/payment', to: 'shop/Service/payment', edge: 'routes-to', effects: [] },
          {
            from: 'shop/Service/payment',
            to: 'shop/Deployment/checkout',
            edge: 'called-by',
            effects: ['errors 40 % of requests (before 0 %)'],
          },
        ],
      },
    ];
    const dir = await writeSampleBundle(root, 'with-propagation', { truth });
    const r = await exportBundle('itbench-lite', dir, join(root, 'Scenario-2'));
    const gt = parse(await readFile(join(r.truthDir, 'ground_truth.yaml'), 'utf8')) as {
      groups: Array<{ id: string; root_cause: boolean }>;
      propagations: unknown[];
    };
    expect(gt.groups.map((g) => [g.id, g.root_cause])).toEqual([
      ['payment-deployment', true],
      ['payment-service', false],
      ['checkout-deployment', false],
    ]);
    expect(gt.propagations).toEqual([
      {
        source: 'payment-deployment',
        target: 'payment-service',
        condition: 'routes-to',
        effect: 'no symptom of its own',
      },
      {
        source: 'payment-service',
        target: 'checkout-deployment',
        condition: 'called-by',
        effect: 'errors 40 % of requests (before 0 %)',
      },
    ]);
  });
});
