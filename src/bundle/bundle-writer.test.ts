import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BundleError } from '../errors/bundle-error.js';
import { openBundle } from './bundle-reader.js';
import { BundleWriter } from './bundle-writer.js';
import { MANIFEST_FILE, SnapshotFile, TRUTH_FILE } from './layout.js';
import type { LogRecord } from './records.js';
import {
  SAMPLE_ALERTS,
  SAMPLE_TOPOLOGY,
  sampleGroundTruth,
  sampleLogs,
  sampleManifestFields,
  writeSampleBundle,
} from './testing/sample-bundle.js';
import { verifyBundle } from './verify.js';

let work: string;
beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'firedrill-writer-'));
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('BundleWriter', () => {
  it('round-trips every standard file through the reader', async () => {
    const dir = await writeSampleBundle(work, 'rt-1');
    expect(dir).toBe(join(work, 'rt-1'));
    const b = await openBundle(dir);
    try {
      expect(b.manifest).toMatchObject({ format: 1, bundleId: 'rt-1', ...sampleManifestFields() });
      expect(b.manifest.files.map((f) => f.path)).toEqual([
        'snapshot/alerts.json',
        'snapshot/events.ndjson',
        'snapshot/logs.ndjson',
        'snapshot/metrics.ndjson',
        'snapshot/objects.ndjson',
        'snapshot/task.md',
        'snapshot/topology.json',
        'snapshot/traces.ndjson',
        'truth/ground_truth.json',
      ]);
      const records = Object.fromEntries(b.manifest.files.map((f) => [f.path, f.records]));
      expect(records).toMatchObject({
        'snapshot/alerts.json': 1, // active alerts
        'snapshot/logs.ndjson': 20,
        'snapshot/task.md': 4,
        'snapshot/topology.json': 1,
        'truth/ground_truth.json': 1,
      });
      expect(await b.readJson(SnapshotFile.alerts)).toEqual(SAMPLE_ALERTS);
      expect(await b.readJson(SnapshotFile.topology)).toEqual(SAMPLE_TOPOLOGY);
      const logs: LogRecord[] = [];
      for await (const r of b.readNdjson<LogRecord>(SnapshotFile.logs)) logs.push(r);
      expect(logs).toEqual(sampleLogs());
      expect(await b.groundTruth()).toEqual(sampleGroundTruth());
      expect(b.has(SnapshotFile.events)).toBe(true);
      expect(b.has('snapshot/nope.json')).toBe(false);
    } finally {
      await b.close();
    }
    expect((await verifyBundle(dir)).problems).toEqual([]);
  });

  it('streams records from an async iterable and counts them', async () => {
    const w = await BundleWriter.create(work, 'stream-1');
    try {
      async function* gen(): AsyncGenerator<{ i: number }> {
        for (let i = 0; i < 5000; i++) yield { i };
      }
      expect(await w.writeNdjson(SnapshotFile.metrics, gen())).toBe(5000);
      expect(await w.writeNdjson(SnapshotFile.events, [])).toBe(0);
      const dir = await w.commit(sampleManifestFields());
      const m = JSON.parse(await readFile(join(dir, MANIFEST_FILE), 'utf8')) as {
        files: Array<{ path: string; records: number; bytes: number }>;
      };
      expect(m.files).toEqual([
        expect.objectContaining({ path: SnapshotFile.events, records: 0, bytes: 0 }),
        expect.objectContaining({ path: SnapshotFile.metrics, records: 5000 }),
      ]);
    } finally {
      await w.abort();
    }
  });

  it('builds in a hidden temporary sibling and leaves no bundle-looking directory until commit', async () => {
    const w = await BundleWriter.create(work, 'atomic-1');
    await w.writeText(SnapshotFile.task, 'question\n');
    const names = await readdir(work);
    expect(names).toHaveLength(1);
    expect(names[0]).toMatch(/^\.atomic-1\.tmp-/);
    expect(join(work, names[0])).toBe(w.tmpDir);
    // a crash here leaves the temp directory behind: it is hidden and it is not a bundle
    const v = await verifyBundle(w.tmpDir);
    expect(v.ok).toBe(false);
    expect(v.problems.map((p) => p.kind)).toContain('missing-manifest');
    await expect(openBundle(w.tmpDir)).rejects.toThrow(/not a bundle/);

    await w.commit(sampleManifestFields());
    expect(await readdir(work)).toEqual(['atomic-1']);
  });

  it('abort removes the temporary directory; abort after commit is a no-op; nothing runs after abort', async () => {
    const w = await BundleWriter.create(work, 'abort-1');
    await w.writeJson(SnapshotFile.topology, SAMPLE_TOPOLOGY);
    await w.abort();
    await w.abort();
    expect(await readdir(work)).toEqual([]);
    await expect(w.writeText(SnapshotFile.task, 'x')).rejects.toThrow(/writer is aborted/);
    await expect(w.commit(sampleManifestFields())).rejects.toThrow(/writer is aborted/);

    const w2 = await BundleWriter.create(work, 'abort-2');
    await w2.writeText(SnapshotFile.task, 'x\n');
    const dir = await w2.commit(sampleManifestFields());
    await w2.abort();
    expect((await verifyBundle(dir)).ok).toBe(true);
  });

  it('refuses to overwrite an existing bundle unless asked to replace it', async () => {
    const first = await writeSampleBundle(work, 'dup-1');
    const w = await BundleWriter.create(work, 'dup-1');
    try {
      await w.writeText(SnapshotFile.task, 'second version\n');
      await expect(w.commit(sampleManifestFields())).rejects.toThrow(
        new RegExp(`${first} already exists; commit with \\{replace: true\\}`),
      );
      // still the first bundle, intact, and the writer is still usable
      expect((await verifyBundle(first)).files).toBe(9);
      expect(await w.commit(sampleManifestFields(), { replace: true })).toBe(first);
    } finally {
      await w.abort();
    }
    const b = await openBundle(first);
    expect(b.manifest.files.map((f) => f.path)).toEqual([SnapshotFile.task]);
    expect(await b.readText(SnapshotFile.task)).toBe('second version\n');
    expect((await readdir(work)).sort()).toEqual(['dup-1']);
  });

  it.each([
    ['../escape.json'],
    ['manifest.json'],
    ['/etc/passwd'],
    ['snapshot/../truth/x.json'],
    ['snapshot/./x.json'],
    ['other/x.json'],
    ['snapshot/.hidden'],
    ['snapshot'],
    ['snapshot/'],
    ['snapshot\\x.json'],
  ])('refuses the path %j', async (rel) => {
    const w = await BundleWriter.create(work, 'paths-1');
    try {
      await expect(w.writeText(rel, '{}')).rejects.toThrow(BundleError);
    } finally {
      await w.abort();
    }
  });

  it.each([['../x'], ['.hidden'], ['a/b'], [''], ['x'.repeat(129)]])(
    'refuses the bundle id %j',
    async (id) => {
      await expect(BundleWriter.create(work, id)).rejects.toThrow(/plain path segment/);
      expect(await readdir(work)).toEqual([]);
    },
  );

  it('refuses writing a path twice, and lets a failed write be retried', async () => {
    const w = await BundleWriter.create(work, 'twice-1');
    try {
      await w.writeText(SnapshotFile.task, 'a\n');
      await expect(w.writeText(SnapshotFile.task, 'b\n')).rejects.toThrow(/written twice/);
      await expect(w.writeNdjson(SnapshotFile.logs, [{ ok: 1 }, undefined])).rejects.toThrow(
        /record 2 is not JSON-serialisable/,
      );
      await expect(w.writeNdjson(SnapshotFile.traces, [{ ok: 1 }, new Date(0)])).rejects.toThrow(
        /record 2 is not a JSON object/,
      );
      await w.writeNdjson(SnapshotFile.logs, [{ ok: 1 }]);
      const dir = await w.commit(sampleManifestFields());
      expect((await verifyBundle(dir)).ok).toBe(true);
    } finally {
      await w.abort();
    }
  });

  it('does not commit an invalid manifest or content that would not verify, listing every problem', async () => {
    const w = await BundleWriter.create(work, 'bad-1');
    try {
      await w.writeText(SnapshotFile.logs, '{"ok":1}\nnot json\n');
      const fields = {
        ...sampleManifestFields(),
        seed: 1.5,
        times: { ...sampleManifestFields().times, windowStart: 'yesterday' },
      };
      const err = (await w.commit(fields).catch((e: unknown) => e)) as BundleError;
      expect(err).toBeInstanceOf(BundleError);
      expect(err.problems).toEqual([
        'bundle bad-1 not committed:',
        expect.stringMatching(/^ {2}snapshot\/logs\.ndjson: line 2: invalid JSON \(/),
        expect.stringMatching(/^ {2}manifest\.json: seed: /),
        expect.stringMatching(/^ {2}manifest\.json: times\.windowStart: /),
      ]);
      expect((await readdir(work)).filter((n) => !n.startsWith('.'))).toEqual([]);
    } finally {
      await w.abort();
    }
    expect(await readdir(work)).toEqual([]);
  });

  it('writes the ground truth where the reader and verify expect it', async () => {
    const w = await BundleWriter.create(work, 'truth-1');
    try {
      await w.writeJson(TRUTH_FILE, { ...sampleGroundTruth(), rootCauses: [] });
      const dir = await w.commit(sampleManifestFields());
      const v = await verifyBundle(dir);
      expect(v.problems.map((p) => [p.kind, p.path])).toEqual([['invalid-ground-truth', TRUTH_FILE]]);
      const b = await openBundle(dir);
      await expect(b.groundTruth()).rejects.toThrow(/rootCauses/);
    } finally {
      await w.abort();
    }
  });

  it('keeps a stray file out of the index: only what was written is listed', async () => {
    const w = await BundleWriter.create(work, 'stray-1');
    try {
      await w.writeText(SnapshotFile.task, 'x\n');
      await writeFile(join(w.tmpDir, 'snapshot', 'stray.txt'), 'not written through the writer');
      const dir = await w.commit(sampleManifestFields());
      const v = await verifyBundle(dir);
      expect(v.problems.map((p) => [p.kind, p.path])).toEqual([['extra-file', 'snapshot/stray.txt']]);
    } finally {
      await w.abort();
    }
  });
});
