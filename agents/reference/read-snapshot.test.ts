import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSnapshot } from './read-snapshot.js';
import { SyntheticShop } from './testing/synthetic-shop.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ref-agent-read-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('readSnapshot', () => {
  it('reads every file of a snapshot, streaming the large ones into compact forms', async () => {
    const shop = new SyntheticShop({ durationS: 60 });
    shop.failRequests('catalog', 30, 0.5, 503);
    const built = shop.build();
    await shop.writeTo(dir);
    const snap = await readSnapshot(dir);
    expect(snap.spans.length).toBe(built.spans.length);
    expect(snap.objects.length).toBe(built.objects.length);
    expect(snap.metrics.length).toBeGreaterThan(0);
    expect(snap.logs.lines).toBeGreaterThan(0);
    // Only warnings and errors (and unstructured lines) are kept line by line.
    expect(snap.logs.notable.every((l) => l.level !== 'info' || !l.structured)).toBe(true);
    expect(snap.logs.notable.some((l) => l.pod.includes('catalog') && l.level === 'error')).toBe(true);
    expect(snap.window).toEqual({ start: shop.t(0), end: shop.t(60) });
    expect(snap.warnings).toEqual([]);
  });

  it('keeps going past torn lines and missing files, with a warning', async () => {
    const shop = new SyntheticShop({ durationS: 30 });
    await shop.writeTo(dir);
    await appendFile(join(dir, 'events.ndjson'), '{"type":"Warning",\n[1,2]\n');
    await rm(join(dir, 'traces.ndjson'));
    await rm(join(dir, 'task.md'));
    const snap = await readSnapshot(dir);
    expect(snap.spans).toEqual([]);
    expect(snap.warnings.join('\n')).toMatch(/events\.ndjson: skipped 2 of \d+ lines/);
    // Without task.md the window comes from the data.
    expect(snap.window.start).toBeGreaterThan(0);
  });

  it('reads object-changes.ndjson when present, oldest first', async () => {
    const shop = new SyntheticShop({ durationS: 30 });
    await shop.writeTo(dir);
    const secret = shop.get('shop/Secret/redis-auth');
    await writeFile(
      join(dir, 'object-changes.ndjson'),
      [
        { ts: shop.iso(20), action: 'MODIFIED', entity: 'shop/Secret/redis-auth', object: secret },
        {
          ts: shop.iso(10),
          action: 'ADDED',
          entity: 'shop/Job/report',
          object: {
            kind: 'Job',
            apiVersion: 'batch/v1',
            metadata: { name: 'report', namespace: 'shop' },
            entity: 'shop/Job/report',
          },
        },
        { ts: 'not a time', action: 'MODIFIED', entity: 'shop/Secret/redis-auth', object: secret },
      ]
        .map((r) => JSON.stringify(r))
        .join('\n'),
    );
    const snap = await readSnapshot(dir);
    expect(snap.objectChanges.map((c) => [c.action, c.entity])).toEqual([
      ['ADDED', 'shop/Job/report'],
      ['MODIFIED', 'shop/Secret/redis-auth'],
    ]);
  });
});
