import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openBundle } from '../bundle/bundle-reader.js';
import { writeIncidentBundle } from '../bundle/testing/incident-bundle.js';
import { readReportData, traceOrder } from './report-data.js';
import { defaultReportPath, writeReport } from './write-report.js';

let dir: string;
let bundle: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fd-report-'));
  bundle = await writeIncidentBundle(join(dir, 'b'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('HTML report', () => {
  it('is one self-contained file: nothing to fetch, data escaped', async () => {
    const file = await writeReport(bundle);
    expect(file).toBe(defaultReportPath(bundle));
    expect(file).toBe(join(dir, 'b', 'incident-0a1b2c3d4e5f.html'));
    const html = await readFile(file, 'utf8');
    expect(html).not.toMatch(/<(script|img|link|iframe)[^>]*\s(src|href)=/i);
    expect(html).toMatch(/Content-Security-Policy" content="default-src 'none'/);
    // three scripts: the data, uPlot, ours; no log line or label can end one early
    expect(html.match(/<\/script>/g)).toHaveLength(3);
    expect(html).toContain('Error: &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; friends');
  });

  it('shows no ground truth unless asked: no scenario, fault or injection time', async () => {
    const plain = await readFile(await writeReport(bundle, { out: join(dir, 'plain.html') }), 'utf8');
    for (const secret of ['payment-latency', 'app-latency', 'fault injected', 'id="truth"', 'root-cause"'])
      expect({ secret, found: plain.includes(secret) }).toEqual({ secret, found: false });
    const authors = await readFile(
      await writeReport(bundle, { out: join(dir, 'truth.html'), withTruth: true }),
      'utf8',
    );
    for (const shown of ['payment-latency', 'app-latency', 'fault injected', 'id="truth"', 'root-cause"'])
      expect({ shown, found: authors.includes(shown) }).toEqual({ shown, found: true });
  });

  it('centres the log excerpt on the first alert still firing at capture, picks slow and failing traces', async () => {
    const b = await openBundle(bundle);
    const d = await readReportData(b, false);
    await b.close();
    expect(d.firstAlert).toEqual({
      at: Date.parse('2025-01-01T10:06:30.000Z'),
      alertname: 'ShopHighLatencyP95',
    });
    expect(d.logs.every((l) => Math.abs(Date.parse(l.ts) - (d.firstAlert?.at ?? 0)) <= 30_000)).toBe(true);
    expect(d.traces.slowest?.[0].durationMs).toBeGreaterThan(1300);
    expect(d.traces.failing?.some((s) => s.status === 'error')).toBe(true);
    expect(traceOrder(d.traces.slowest ?? []).map((s) => s.depth)).toEqual([0, 1, 2]);
    expect(d.alerting).toEqual(['shop/Service/catalog', 'shop/Service/checkout', 'shop/Service/payment']);
    expect(d.charts.services.map((s) => s.service)).toEqual(['cart', 'checkout', 'frontend', 'payment']);
    expect(d.truth).toBeNull();
  });
});
