// Throughput of the local substrate's trace path: OTLP/JSON over HTTP into the SpanStore, and the
// normaliser alone. Run: npx tsx bench/otlp-receiver.ts
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { OtlpHttpReceiver } from '../src/telemetry/otlp-http-receiver.js';
import { normalizeOtlpJson } from '../src/telemetry/otlp-normalize.js';
import { SpanStore } from '../src/telemetry/span-store.js';

const SPANS_PER_REQUEST = 100;
const REQUESTS = 400;
const CONCURRENCY = 4;

function payload(): string {
  const traceId = randomBytes(16).toString('hex');
  const start = BigInt(Date.now()) * 1_000_000n;
  const spans = Array.from({ length: SPANS_PER_REQUEST }, (_, i) => ({
    traceId,
    spanId: randomBytes(8).toString('hex'),
    parentSpanId: i === 0 ? undefined : randomBytes(8).toString('hex'),
    name: `GET /api/item/${i}`,
    kind: 2,
    startTimeUnixNano: String(start + BigInt(i) * 1000n),
    endTimeUnixNano: String(start + BigInt(i) * 1000n + 5_000_000n),
    attributes: [
      { key: 'http.route', value: { stringValue: '/api/item/:id' } },
      { key: 'http.response.status_code', value: { intValue: 200 } },
    ],
    status: { code: 0 },
  }));
  return JSON.stringify({
    resourceSpans: [
      {
        resource: {
          attributes: [
            { key: 'service.name', value: { stringValue: 'catalog' } },
            { key: 'k8s.namespace.name', value: { stringValue: 'shop' } },
            { key: 'k8s.pod.name', value: { stringValue: 'catalog-0' } },
          ],
        },
        scopeSpans: [{ scope: { name: 'bench' }, spans }],
      },
    ],
  });
}

const bodies = Array.from({ length: 20 }, payload);

// Normaliser alone.
{
  const parsed = bodies.map((b) => JSON.parse(b) as unknown);
  const t = performance.now();
  let n = 0;
  for (let i = 0; i < REQUESTS; i++) n += normalizeOtlpJson(parsed[i % parsed.length]).length;
  const ms = performance.now() - t;
  console.log(`normalize: ${n} spans in ${ms.toFixed(0)} ms = ${Math.round((n / ms) * 1000)} spans/s`);
}

for (const gzip of [false, true]) {
  const receiver = await OtlpHttpReceiver.start({ store: new SpanStore(1_000_000) });
  const encoded = bodies.map((b) => (gzip ? gzipSync(b) : Buffer.from(b)));
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (gzip) headers['Content-Encoding'] = 'gzip';
  let next = 0;
  const t = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < REQUESTS) {
        const i = next++;
        const res = await fetch(receiver.tracesUrl, {
          method: 'POST',
          headers,
          body: encoded[i % encoded.length],
        });
        await res.text();
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
      }
    }),
  );
  const ms = performance.now() - t;
  const n = receiver.store.size;
  console.log(
    `receiver (${gzip ? 'gzip' : 'plain'}, ${CONCURRENCY} clients): ${n} spans in ${ms.toFixed(0)} ms = ` +
      `${Math.round((n / ms) * 1000)} spans/s, ${((REQUESTS / ms) * 1000).toFixed(0)} requests/s`,
  );
  const q = performance.now();
  const hits = receiver.store.query({ service: 'catalog', from: Date.now() - 60_000, to: Date.now() }).length;
  console.log(`  query over ${n} spans: ${hits} hits in ${(performance.now() - q).toFixed(1)} ms`);
  await receiver.close();
}
