// Times the corpus machinery on synthetic bundles the size of a real shop run (~1800 series, ~6000 log
// lines, ~12000 spans): the observable check, finalize (checks + manifest update + pack + index) and
// both exporters. No substrate is started.
//   npx tsx bench/corpus.ts [bundles] [repeats]
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openBundle } from '../src/bundle/bundle-reader.js';
import type { LogRecord, MetricSeries, SpanRecord } from '../src/bundle/records.js';
import { CorpusLayout } from '../src/corpus/corpus-layout.js';
import { finalizeCorpus, type RunRecord } from '../src/corpus/finalize-corpus.js';
import { checkObservable } from '../src/corpus/observable-check.js';
import { INJECTED, T0, writeSyntheticBundle } from '../src/corpus/testing/synthetic-bundle.js';
import { exportBundle } from '../src/export/export-bundle.js';

const scenarios = Number(process.argv[2] ?? 3);
const repeats = Number(process.argv[3] ?? 2);
const SERVICES = ['frontend', 'cart', 'catalog', 'checkout', 'payment', 'shipping', 'currency', 'redis'];

function metrics(seed: number): MetricSeries[] {
  const out: MetricSeries[] = [];
  for (let s = 0; s < 1800; s++) {
    const svc = SERVICES[s % SERVICES.length];
    const counter = s % 3 !== 0;
    const moved = svc === 'payment' && s % 7 === 0;
    let v = 0;
    out.push({
      name: counter ? `m${s % 90}_total` : `g${s % 90}`,
      labels: { namespace: 'shop', service: svc, pod: `${svc}-0`, le: String(s % 11) },
      points: Array.from({ length: 20 }, (_, i) => {
        const t = T0 + i * 30_000;
        const base = 10 + ((s * 31 + i * 7 + seed) % 5);
        const x = moved && t >= INJECTED ? base * 4 : base;
        v += x;
        return [t / 1000, counter ? v : x] as [number, number];
      }),
    });
  }
  return out;
}

function logs(): LogRecord[] {
  return Array.from({ length: 6000 }, (_, i) => ({
    ts: new Date(T0 + i * 100).toISOString(),
    entity: `shop/Pod/${SERVICES[i % 8]}-0`,
    container: SERVICES[i % 8],
    stream: 'stdout',
    line: JSON.stringify({
      level: i % 500 === 0 ? 'error' : 'info',
      msg: 'request completed',
      trace_id: 'a'.repeat(32),
      status: 200,
    }),
  }));
}

function spans(): SpanRecord[] {
  return Array.from({ length: 12000 }, (_, i) => ({
    traceId: (i >> 2).toString(16).padStart(32, '0'),
    spanId: i.toString(16).padStart(16, '0'),
    parentSpanId: i % 4 === 0 ? null : (i - 1).toString(16).padStart(16, '0'),
    service: SERVICES[i % 8],
    name: 'GET /x',
    start: new Date(T0 + i * 50).toISOString(),
    end: new Date(T0 + i * 50 + 20).toISOString(),
    durationMs: 20,
    status: 'ok',
    attributes: { 'span.kind': 'server', 'http.route': '/x' },
    entity: `shop/Pod/${SERVICES[i % 8]}-0`,
  }));
}

const ms = (t: bigint): string => `${(Number(process.hrtime.bigint() - t) / 1e6).toFixed(0)} ms`;

const root = await mkdtemp(join(tmpdir(), 'fd-bench-corpus-'));
try {
  const layout = new CorpusLayout(join(root, 'out'));
  const records: RunRecord[] = [];
  let t = process.hrtime.bigint();
  for (let sc = 0; sc < scenarios; sc++)
    for (let r = 0; r < repeats; r++) {
      const id = `bench-${sc}-${r}`;
      await writeSyntheticBundle(layout.bundlesDir, id, {
        scenarioId: `scenario-${sc}`,
        repeat: r,
        rootCauses: [{ id: 'shop/Deployment/payment', aliases: ['shop/Pod/payment-0'] }],
        firing: [{ alertname: 'ShopHighLatencyP95', labels: { namespace: 'shop', service: 'checkout' } }],
        metrics: metrics(r),
        logs: logs(),
        spans: spans(),
      });
      records.push({
        bundleId: id,
        scenarioId: `scenario-${sc}`,
        repeat: r,
        seed: 1,
        substrate: 'local',
        status: 'complete',
      });
    }
  const n = scenarios * repeats;
  console.log(`write ${n} bundles: ${ms(t)}`);

  t = process.hrtime.bigint();
  const b = await openBundle(layout.bundleDir('bench-0-0'));
  const obs = await checkObservable(b);
  await b.close();
  console.log(
    `observable check, one bundle: ${ms(t)} (ok=${obs.check.ok}, via ${obs.rootCauses[0].evidence[0]?.kind})`,
  );

  t = process.hrtime.bigint();
  const index = await finalizeCorpus({ layout, records, stabilityThreshold: 0.8, commands: [] });
  const total = Number(process.hrtime.bigint() - t) / 1e6;
  const bytes = index.rows.reduce((a, r) => a + (r.bundle?.bytes ?? 0), 0);
  const packed = index.rows.reduce((a, r) => a + (r.packed?.bytes ?? 0), 0);
  console.log(
    `finalize (checks + manifest + pack + index) ${n} bundles: ${total.toFixed(0)} ms, ${(total / n).toFixed(0)} ms/bundle; ` +
      `${(bytes / 2 ** 20).toFixed(1)} MiB → ${(packed / 2 ** 20).toFixed(1)} MiB packed; valid ${index.rows.filter((r) => r.valid).length}/${n}`,
  );

  for (const format of ['itbench-lite', 'rcaeval']) {
    t = process.hrtime.bigint();
    const r = await exportBundle(format, layout.bundleDir('bench-0-0'), join(root, format));
    console.log(`export ${format}, one bundle: ${ms(t)} (${r.files.length} files)`);
  }
} finally {
  await rm(root, { recursive: true, force: true });
}
