import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openBundle } from '../../src/bundle/bundle-reader.js';
import type { SpanRecord } from '../../src/bundle/records.js';
import { writeIncidentBundle } from '../../src/bundle/testing/incident-bundle.js';
import { exportBundle, TRACES_FILE } from '../../src/export/index.js';
import { spanKind } from '../../src/export/otel-mapping.js';
import { normalizeOtlpJson } from '../../src/telemetry/otlp-normalize.js';
import { REPO_ROOT } from '../../src/version.js';

/**
 * The OTLP export read by a real consumer: Jaeger v2 (an OpenTelemetry Collector distribution) built from
 * its Go module by `scripts/build-k8s-tools.sh jaeger`. Each line of traces.jsonl is POSTed to Jaeger's
 * OTLP/HTTP receiver as it is (an ExportTraceServiceRequest in JSON); the traces are read back through its
 * api/v3 and must be the exported spans, resource attributes and kinds included. Opt-in:
 * FIREDRILL_E2E=jaeger (`make test-otlp` builds Jaeger first); FIREDRILL_E2E_BUNDLE=<bundle> uses a real
 * bundle instead of the synthetic incident.
 */

const versions = JSON.parse(readFileSync(join(REPO_ROOT, 'versions.json'), 'utf8')) as {
  tools: { kubernetes: string };
};
const JAEGER = join(
  process.env.FIREDRILL_CACHE ?? join(homedir(), '.cache', 'firedrill'),
  'k8s',
  versions.tools.kubernetes,
  'bin',
  'jaeger',
);

function skipReason(): string | undefined {
  if (process.env.FIREDRILL_E2E !== 'jaeger') return 'set FIREDRILL_E2E=jaeger to run it (make test-otlp)';
  try {
    accessSync(JAEGER, constants.X_OK);
  } catch {
    return `${JAEGER} missing: ./scripts/build-k8s-tools.sh jaeger builds it (make test-otlp does)`;
  }
  return undefined;
}
const skipped = skipReason();
if (skipped) process.stderr.write(`tests/export/otlp-jaeger.e2e.test.ts skipped: ${skipped}\n`);
const suite = skipped ? describe.skip : describe;

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

suite('OTLP export read by Jaeger v2', () => {
  let dir = '';
  let jaeger: ChildProcess | undefined;
  let log = '';
  let query = '';
  const spans: SpanRecord[] = [];
  let lines: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fd-jaeger-'));
    const bundle = process.env.FIREDRILL_E2E_BUNDLE ?? (await writeIncidentBundle(join(dir, 'b')));
    const r = await exportBundle('otlp', bundle, join(dir, 'otlp'));
    lines = (await readFile(join(r.dir, TRACES_FILE), 'utf8')).split('\n').filter(Boolean);
    const h = await openBundle(bundle);
    for await (const s of h.readNdjson<SpanRecord>('snapshot/traces.ndjson')) spans.push(s);
    await h.close();

    const [otlp, http, grpc] = [await freePort(), await freePort(), await freePort()];
    query = `http://127.0.0.1:${http}`;
    const config = `
service:
  extensions: [jaeger_storage, jaeger_query]
  pipelines:
    traces: {receivers: [otlp], processors: [batch], exporters: [jaeger_storage_exporter]}
  telemetry:
    metrics: {level: none}
    logs: {level: warn}
extensions:
  jaeger_query:
    storage: {traces: memstore}
    http: {endpoint: 127.0.0.1:${http}}
    grpc: {endpoint: 127.0.0.1:${grpc}}
  jaeger_storage:
    backends:
      memstore: {memory: {max_traces: 100000}}
receivers:
  otlp:
    protocols:
      http: {endpoint: 127.0.0.1:${otlp}, max_request_body_size: 67108864}
processors:
  batch: {}
exporters:
  jaeger_storage_exporter: {trace_storage: memstore}
`;
    await writeFile(join(dir, 'jaeger.yaml'), config);
    jaeger = spawn(JAEGER, ['--config', join(dir, 'jaeger.yaml')], { stdio: ['ignore', 'pipe', 'pipe'] });
    jaeger.stdout?.on('data', (d: Buffer) => (log += d.toString()));
    jaeger.stderr?.on('data', (d: Buffer) => (log += d.toString()));
    const up = async (): Promise<boolean> =>
      fetch(`${query}/api/v3/services`).then(
        (x) => x.ok,
        () => false,
      );
    for (let i = 0; i < 150 && !(await up()); i++) await new Promise((res) => setTimeout(res, 200));
    if (!(await up())) throw new Error(`jaeger did not start:\n${log.slice(-3000)}`);
    for (const line of lines) {
      const res = await fetch(`http://127.0.0.1:${otlp}/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: line,
      });
      if (!res.ok) throw new Error(`OTLP receiver answered ${res.status}: ${await res.text()}`);
    }
  }, 120_000);

  afterAll(async () => {
    if (jaeger && jaeger.exitCode === null) {
      const exited = new Promise((res) => jaeger?.once('exit', res));
      jaeger.kill('SIGTERM');
      // a graceful shutdown may take a while; the test does not need one
      const t = setTimeout(() => jaeger?.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(t);
    }
    await rm(dir, { recursive: true, force: true });
  }, 15_000);

  it('lists every exported service', async () => {
    const want = [...new Set(spans.map((s) => s.service))].sort();
    let got: string[] = [];
    // the batch processor flushes within a second or so
    for (let i = 0; i < 50; i++) {
      const body = (await (await fetch(`${query}/api/v3/services`)).json()) as { services?: string[] };
      got = [...(body.services ?? [])].filter((s) => s !== 'jaeger').sort();
      if (got.length >= want.length) break;
      await new Promise((res) => setTimeout(res, 200));
    }
    expect(got).toEqual(want);
  });

  it('gives back each trace with its spans, kinds, statuses, durations and resource attributes', async () => {
    const traceIds = [...new Set(spans.map((s) => s.traceId))].slice(0, 20);
    for (const id of traceIds) {
      const res = await fetch(`${query}/api/v3/traces/${id}`);
      expect({ id, status: res.status }).toEqual({ id, status: 200 });
      const back = normalizeOtlpJson(await res.json());
      const brief = (s: SpanRecord) => ({
        spanId: s.spanId,
        parent: s.parentSpanId,
        service: s.service,
        name: s.name,
        // the field, or for bundles captured before it was kept the span.kind attribute
        kind: spanKind(s),
        status: s.status,
        start: s.start,
        durationMs: s.durationMs,
        // bundles captured before resources were kept: the export rebuilds k8s.pod.name from the entity
        pod: s.resource?.['k8s.pod.name'] ?? (s.entity?.includes('/Pod/') ? s.entity.split('/')[2] : null),
      });
      const want = spans.filter((s) => s.traceId === id).map(brief);
      expect(back.map(brief).sort((a, b) => a.spanId.localeCompare(b.spanId))).toEqual(
        want.sort((a, b) => a.spanId.localeCompare(b.spanId)),
      );
    }
  });
});
