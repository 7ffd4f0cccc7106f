// Writes a synthetic ~50 MB bundle, then times write, verify, pack, verify of the archive and unpack.
//   npx tsx bench/bundle-pack.ts [sizeMB]
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BundleWriter } from '../src/bundle/bundle-writer.js';
import { SnapshotFile, TRUTH_FILE } from '../src/bundle/layout.js';
import { packBundle } from '../src/bundle/pack.js';
import type { LogRecord, MetricSeries, SpanRecord } from '../src/bundle/records.js';
import {
  SAMPLE_ALERTS,
  SAMPLE_TASK,
  SAMPLE_TOPOLOGY,
  sampleGroundTruth,
  sampleManifestFields,
} from '../src/bundle/testing/sample-bundle.js';
import { unpackBundle } from '../src/bundle/unpack.js';
import { verifyBundle } from '../src/bundle/verify.js';
import { verifyBundlePath } from '../src/bundle/verify-path.js';

const targetMB = Number(process.argv[2] ?? 50);
const MB = 1024 * 1024;

function* logs(n: number): Generator<LogRecord> {
  for (let i = 0; i < n; i++)
    yield {
      ts: new Date(Date.UTC(2025, 0, 1, 10, 0, 0, i)).toISOString(),
      entity: `shop/Pod/svc-${i % 7}-0`,
      container: `svc-${i % 7}`,
      stream: i % 13 === 0 ? 'stderr' : 'stdout',
      line: JSON.stringify({
        level: 30,
        time: i,
        msg: 'request completed',
        route: `/r/${i % 31}`,
        ms: (i * 7919) % 1000,
        traceId: (i * 2654435761).toString(16).padStart(32, '0'),
      }),
    };
}

function* metrics(n: number): Generator<MetricSeries> {
  const t0 = Date.UTC(2025, 0, 1, 10) / 1000;
  for (let i = 0; i < n; i++)
    yield {
      name: 'http_server_duration_seconds_bucket',
      labels: { service: `svc-${i % 7}`, le: String(2 ** (i % 10) / 100), route: `/r/${i % 31}` },
      points: Array.from(
        { length: 40 },
        (_, k) => [t0 + k * 15, (i * 31 + k * 17) % 997] as [number, number],
      ),
    };
}

function* spans(n: number): Generator<SpanRecord> {
  for (let i = 0; i < n; i++)
    yield {
      traceId: (i >> 3).toString(16).padStart(32, '0'),
      spanId: i.toString(16).padStart(16, '0'),
      parentSpanId: i % 8 === 0 ? null : (i - 1).toString(16).padStart(16, '0'),
      service: `svc-${i % 7}`,
      name: `GET /r/${i % 31}`,
      start: new Date(Date.UTC(2025, 0, 1, 10, 0, 0, i)).toISOString(),
      end: new Date(Date.UTC(2025, 0, 1, 10, 0, 0, i + 40)).toISOString(),
      durationMs: 40,
      status: i % 50 === 0 ? 'error' : 'ok',
      attributes: { 'http.request.method': 'GET', 'http.response.status_code': i % 50 === 0 ? 500 : 200 },
      entity: `shop/Pod/svc-${i % 7}-0`,
    };
}

async function timed<T>(label: string, bytes: number, fn: () => Promise<T>): Promise<T> {
  const t = performance.now();
  const r = await fn();
  const s = (performance.now() - t) / 1000;
  console.log(
    `${label.padEnd(22)} ${s.toFixed(2).padStart(6)} s  ${(bytes / MB / s).toFixed(1).padStart(7)} MB/s`,
  );
  return r;
}

const work = await mkdtemp(join(tmpdir(), 'firedrill-bench-'));
try {
  // about 240 bytes a log line, 880 a series, 380 a span: 70% logs, 20% metrics, 10% traces
  const scale = targetMB * MB;
  const dir = await timed('write (BundleWriter)', targetMB * MB, async () => {
    const w = await BundleWriter.create(work, 'bench-r0');
    try {
      await w.writeText(SnapshotFile.task, SAMPLE_TASK);
      await w.writeJson(SnapshotFile.alerts, SAMPLE_ALERTS);
      await w.writeJson(SnapshotFile.topology, SAMPLE_TOPOLOGY);
      await w.writeNdjson(SnapshotFile.logs, logs(Math.round((scale * 0.7) / 240)));
      await w.writeNdjson(SnapshotFile.metrics, metrics(Math.round((scale * 0.2) / 880)));
      await w.writeNdjson(SnapshotFile.traces, spans(Math.round((scale * 0.1) / 380)));
      await w.writeJson(TRUTH_FILE, sampleGroundTruth());
      return await w.commit(sampleManifestFields());
    } finally {
      await w.abort();
    }
  });
  const v = await verifyBundle(dir);
  const bytes = v.manifest!.files.reduce((n, f) => n + f.bytes, 0);
  console.log(`bundle: ${(bytes / MB).toFixed(1)} MB in ${v.files} files, ${v.problems.length} problems`);

  await timed('verify (directory)', bytes, () => verifyBundle(dir));
  const packed = await timed('pack (verify+tar+gz)', bytes, () => packBundle(dir));
  console.log(
    `archive: ${(packed.bytes / MB).toFixed(1)} MB (${((100 * packed.bytes) / bytes).toFixed(1)}% of the bundle)`,
  );
  const again = await timed('verify (.tar.gz)', bytes, () => verifyBundlePath(packed.file));
  if (!again.ok) throw new Error('packed bundle does not verify');
  await timed('unpack', bytes, () => unpackBundle(packed.file, join(work, 'unpacked')));
} finally {
  await rm(work, { recursive: true, force: true });
}
