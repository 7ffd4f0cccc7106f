import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BundleWriter } from '../bundle/bundle-writer.js';
import { silentLogger } from '../logging/logger.js';
import { stagedWorld } from '../runner/testing/staged-world.js';
import { DEFAULT_SCOPE } from './capture-scope.js';
import { captureSnapshot } from './capture-snapshot.js';
import { HistoryShift } from './history-shift.js';
import { SIGNALS } from './signals.js';
import type { CaptureSources } from '../platform/capture-sources.js';

describe('captureSnapshot', () => {
  it('writes one file per signal of the table and announces each in task.md', async () => {
    const w = stagedWorld({
      logs: [
        {
          ts: '2025-01-01T00:00:01Z',
          entity: 'shop/Pod/payment-0',
          container: 'payment',
          stream: 'stdout',
          line: 'ok',
        },
        {
          ts: '2025-01-01T00:00:02Z',
          entity: 'other/Pod/x-0',
          container: 'x',
          stream: 'stdout',
          line: 'not ours',
        },
      ],
    });
    const writer = await BundleWriter.create(await mkdtemp(join(tmpdir(), 'fd-cap-')), 'incident-cap');
    try {
      const window = { start: new Date('2025-01-01T00:00:00Z'), end: new Date('2025-01-01T00:01:00Z') };
      const r = await captureSnapshot(w.substrate.capture, window, DEFAULT_SCOPE, writer, silentLogger());
      expect(Object.keys(r.counts)).toEqual(SIGNALS.map((s) => s.name));
      // Only the app's namespaces are captured.
      expect(r.counts.logs).toBe(1);
      expect(r.seenEntities).toEqual(new Set(['shop/Pod/payment-0']));
      expect(r.counts.objects).toBe(2);
      const task = await readFile(join(writer.tmpDir, 'snapshot/task.md'), 'utf8');
      for (const s of SIGNALS) {
        const name = s.file.split('/').pop() ?? '';
        expect(task).toContain(`- \`${name}\`: ${s.evidence}`);
        await expect(readFile(join(writer.tmpDir, s.file), 'utf8')).resolves.toBeDefined();
      }
      expect(task).toContain('2025-01-01T00:00:00.000Z to 2025-01-01T00:01:00.000Z');
    } finally {
      await writer.abort();
    }
  });
});

describe('captureSnapshot traces', () => {
  it('writes spans by start, whatever order the exporters sent them in', async () => {
    const span = (spanId: string, start: string) => ({
      traceId: 'a'.repeat(32),
      spanId,
      parentSpanId: null,
      service: 'payment',
      name: 'GET /charge',
      start,
      end: start,
      durationMs: 0,
      status: 'ok' as const,
      attributes: {},
      entity: 'shop/Pod/payment-0',
    });
    // A batch exported later that started earlier, its start written with more digits.
    const w = stagedWorld({
      spans: [
        span('0000000000000002', '2025-01-01T00:00:02.5Z'),
        span('0000000000000003', '2025-01-01T00:00:03Z'),
        span('0000000000000001', '2025-01-01T00:00:02.400123Z'),
      ],
    });
    const writer = await BundleWriter.create(await mkdtemp(join(tmpdir(), 'fd-cap-')), 'incident-cap');
    try {
      await captureSnapshot(w.substrate.capture, WINDOW_T, DEFAULT_SCOPE, writer, silentLogger());
      const ids = (await readFile(join(writer.tmpDir, 'snapshot/traces.ndjson'), 'utf8'))
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { spanId: string }).spanId);
      expect(ids).toEqual(['0000000000000001', '0000000000000002', '0000000000000003']);
    } finally {
      await writer.abort();
    }
  });
});

const WINDOW_T = { start: new Date('2025-01-01T00:00:00Z'), end: new Date('2025-01-01T00:01:00Z') };

const WINDOW = { start: new Date('2025-01-01T00:00:00Z'), end: new Date('2025-01-01T00:01:00Z') };

/** Captures a world whose payment pod logged one line, as `capture` does it, and returns logs.ndjson. */
async function capturedLogs(
  log: { ts: string; line: string },
  capture: (sources: CaptureSources, writer: BundleWriter) => Promise<unknown>,
): Promise<string> {
  const w = stagedWorld({
    logs: [{ ...log, entity: 'shop/Pod/payment-0', container: 'payment', stream: 'stdout' }],
  });
  const writer = await BundleWriter.create(await mkdtemp(join(tmpdir(), 'fd-cap-')), 'incident-cap');
  try {
    await capture(w.substrate.capture, writer);
    return await readFile(join(writer.tmpDir, 'snapshot/logs.ndjson'), 'utf8');
  } finally {
    await writer.abort();
  }
}

describe('captureSnapshot with a substrate that presents its stand-ins', () => {
  it('passes every string written to snapshot/ through present(), records and documents alike', async () => {
    const logs = await capturedLogs(
      { ts: '2025-01-01T00:00:01Z', line: 'connect ECONNREFUSED 127.9.200.4:8080' },
      (sources, writer) =>
        captureSnapshot(
          { ...sources, present: (t: string) => t.replaceAll('127.9.200.4', '10.100.7.9') },
          WINDOW,
          DEFAULT_SCOPE,
          writer,
          silentLogger(),
        ),
    );
    expect(logs).toContain('connect ECONNREFUSED 10.100.7.9:8080');
    expect(logs).not.toContain('127.9.200.4');
  });
});

describe('captureSnapshot with a history shift', () => {
  it("writes times before the run's warmup into the past, the window's own as they were", async () => {
    const history = new HistoryShift(Date.parse('2024-12-31T23:59:30Z'), Date.parse('2024-12-31T23:59:55Z'), {
      appAgeMs: 86_400_000,
      clusterAgeMs: 0,
    });
    const logs = await capturedLogs(
      { ts: '2025-01-01T00:00:20Z', line: 'cache warmed at 2024-12-31T23:59:50Z' },
      (sources, writer) =>
        captureSnapshot(sources, WINDOW, DEFAULT_SCOPE, writer, silentLogger(), {}, history),
    );
    expect(logs).toContain('"ts":"2025-01-01T00:00:20Z"');
    expect(logs).toContain('cache warmed at 2024-12-30T23:59:50Z');
  });
});

describe('SIGNALS', () => {
  it('names a distinct snapshot file and docs/bundle-format.md section for each signal', async () => {
    const doc = await readFile(new URL('../../docs/bundle-format.md', import.meta.url), 'utf8');
    const anchors = new Set(
      [...doc.matchAll(/^#+ (.+)$/gm)].map((m) =>
        m[1]
          .toLowerCase()
          .replace(/[^a-z0-9 -]/g, '')
          .replace(/ /g, '-'),
      ),
    );
    expect(new Set(SIGNALS.map((s) => s.file)).size).toBe(SIGNALS.length);
    for (const s of SIGNALS) {
      expect(s.file.startsWith('snapshot/')).toBe(true);
      expect([...anchors].some((a) => a.startsWith(s.docs))).toBe(true);
    }
  });
});
