import { appendFile, mkdtemp, readFile, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { digestFile } from './file-digest.js';
import { MANIFEST_FILE, SnapshotFile, TRUTH_FILE } from './layout.js';
import { packBundle } from './pack.js';
import { rawTarGz, type RawEntry } from './testing/raw-tar.js';
import { writeSampleBundle } from './testing/sample-bundle.js';
import { formatProblem, verifyBundle, type VerifyResult } from './verify.js';
import { verifyBundlePath } from './verify-path.js';

let work: string;
let dir: string;
beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'firedrill-verify-'));
  dir = await writeSampleBundle(work, 'v-1');
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

type RawManifest = Record<string, unknown> & { files: Array<Record<string, unknown>> };

async function readManifest(): Promise<RawManifest> {
  return JSON.parse(await readFile(join(dir, MANIFEST_FILE), 'utf8')) as RawManifest;
}
async function writeManifest(m: unknown): Promise<void> {
  await writeFile(join(dir, MANIFEST_FILE), JSON.stringify(m, null, 2));
}
/** Changes a file and re-indexes it, so only the content problem under test remains. */
async function rewriteIndexed(rel: string, content: string): Promise<void> {
  await writeFile(join(dir, rel), content);
  const d = await digestFile(join(dir, rel), rel);
  const m = await readManifest();
  const entry = m.files.find((f) => f.path === rel)!;
  Object.assign(entry, { sha256: d.sha256, bytes: d.bytes, records: d.records });
  await writeManifest(m);
}
const kinds = (r: VerifyResult): Array<[string, string]> => r.problems.map((p) => [p.kind, p.path]);

describe('verifyBundle', () => {
  it('passes an intact bundle', async () => {
    const r = await verifyBundle(dir);
    expect(r).toMatchObject({ ok: true, files: 9, problems: [], warnings: [] });
    expect(r.manifest?.bundleId).toBe('v-1');
  });

  it('finds a changed file of the same size by its sha256', async () => {
    const text = await readFile(join(dir, SnapshotFile.task), 'utf8');
    await writeFile(join(dir, SnapshotFile.task), text.replace('shop', 'shoP'));
    expect(kinds(await verifyBundle(dir))).toEqual([['sha256-mismatch', SnapshotFile.task]]);
  });

  it('finds a changed size, and the record count that changed with it', async () => {
    await appendFile(join(dir, SnapshotFile.logs), '{"ts":"x","entity":"shop/Pod/a","line":"more"}\n');
    expect(kinds(await verifyBundle(dir))).toEqual([
      ['bytes-mismatch', SnapshotFile.logs],
      ['sha256-mismatch', SnapshotFile.logs],
      ['records-mismatch', SnapshotFile.logs],
    ]);
  });

  it('finds a missing file and an extra one, wherever it hides', async () => {
    await unlink(join(dir, SnapshotFile.traces));
    await writeFile(join(dir, 'snapshot', 'notes.txt'), 'extra');
    await writeFile(join(dir, '.hidden'), 'extra');
    const r = await verifyBundle(dir);
    expect(kinds(r)).toEqual([
      ['missing-file', SnapshotFile.traces],
      ['extra-file', '.hidden'],
      ['extra-file', 'snapshot/notes.txt'],
    ]);
    expect(r.problems.map((p) => formatProblem(r, p))).toEqual([
      `${join(dir, SnapshotFile.traces)}: listed in manifest.json but missing`,
      `${join(dir, '.hidden')}: not listed in manifest.json`,
      `${join(dir, 'snapshot/notes.txt')}: not listed in manifest.json`,
    ]);
  });

  it('names each bad .ndjson line by number, and caps the list', async () => {
    const good = '{"a":1}';
    const lines = [good, 'nope', good, '', '[1,2]', good, ...Array.from({ length: 12 }, () => '{bad')];
    await rewriteIndexed(SnapshotFile.events, `${lines.join('\n')}\n`);
    const r = await verifyBundle(dir);
    const bad = r.problems.filter((p) => p.kind === 'invalid-ndjson-line');
    expect(bad.map((p) => p.line)).toEqual([2, 4, 5, 7, 8, 9, 10, 11, 12, 13, undefined]);
    expect(bad[0].message).toMatch(/^line 2: invalid JSON \(/);
    expect(bad[1].message).toBe('line 4: empty line');
    expect(bad[2].message).toBe('line 5: not a JSON object');
    expect(bad[10].message).toBe('5 more invalid lines not listed');
    expect(r.problems).toHaveLength(bad.length);
  });

  it('finds invalid JSON', async () => {
    await rewriteIndexed(SnapshotFile.alerts, '{"active": [');
    const r = await verifyBundle(dir);
    expect(kinds(r)).toEqual([['invalid-json', SnapshotFile.alerts]]);
  });

  it('finds a wrong record count', async () => {
    const m = await readManifest();
    m.files.find((f) => f.path === SnapshotFile.logs)!.records = 19;
    await writeManifest(m);
    const r = await verifyBundle(dir);
    expect(kinds(r)).toEqual([['records-mismatch', SnapshotFile.logs]]);
    expect(r.problems[0].message).toBe('has 20 records, manifest says 19');
  });

  it.each([
    [undefined, 'format: missing (expected 1)'],
    [2, 'format: unsupported format version 2 (this firedrill reads format 1)'],
    ['1', 'format: unsupported format version "1" (this firedrill reads format 1)'],
  ])('rejects format %j', async (format, message) => {
    const m = await readManifest();
    if (format === undefined) delete m.format;
    else m.format = format;
    await writeManifest(m);
    const r = await verifyBundle(dir);
    expect(r.problems).toEqual([{ kind: 'format-version', path: MANIFEST_FILE, message }]);
    expect(r.manifest).toBeNull();
  });

  it('lists every schema problem of the manifest and still checks the files it can', async () => {
    const m = await readManifest();
    m.seed = 'forty-two';
    delete m.scenarioId;
    m.times = { ...(m.times as object), capturedAt: 'later' };
    m.files[0].sha256 = 'XYZ';
    await writeManifest(m);
    await writeFile(join(dir, SnapshotFile.task), 'changed');
    const r = await verifyBundle(dir);
    expect(kinds(r)).toEqual([
      ['manifest-schema', MANIFEST_FILE],
      ['manifest-schema', MANIFEST_FILE],
      ['manifest-schema', MANIFEST_FILE],
      ['manifest-schema', MANIFEST_FILE],
      ['bytes-mismatch', SnapshotFile.task],
      ['sha256-mismatch', SnapshotFile.task],
      ['records-mismatch', SnapshotFile.task],
      // files[0] failed the schema, so snapshot/alerts.json is no longer indexed
      ['extra-file', SnapshotFile.alerts],
    ]);
    expect(r.problems.slice(0, 4).map((p) => p.message.split(':')[0])).toEqual([
      'scenarioId',
      'seed',
      'times.capturedAt',
      'files.0.sha256',
    ]);
  });

  it('rejects a directory without a manifest, and a manifest that is not JSON', async () => {
    await writeFile(join(dir, MANIFEST_FILE), '{"format": 1,');
    let r = await verifyBundle(dir);
    expect(kinds(r)[0]).toEqual(['invalid-manifest', MANIFEST_FILE]);
    await unlink(join(dir, MANIFEST_FILE));
    r = await verifyBundle(dir);
    expect(kinds(r)[0]).toEqual(['missing-manifest', MANIFEST_FILE]);
    expect(r.ok).toBe(false);
    expect((await verifyBundle(join(work, 'nothing-here'))).problems).toEqual([
      { kind: 'not-a-bundle', path: '', message: 'no such file or directory' },
    ]);
  });

  it('refuses symbolic links, unsafe and duplicate paths in the index', async () => {
    await unlink(join(dir, SnapshotFile.objects));
    await symlink('/etc/hostname', join(dir, SnapshotFile.objects));
    await symlink('/etc', join(dir, 'snapshot', 'etc'));
    const m = await readManifest();
    m.files.push({ ...m.files[1] }, { ...m.files[1], path: '../outside.json' });
    await writeManifest(m);
    expect(kinds(await verifyBundle(dir))).toEqual([
      ['not-a-regular-file', SnapshotFile.objects],
      ['duplicate-path', SnapshotFile.events],
      ['unsafe-path', '../outside.json'],
      ['not-a-regular-file', 'snapshot/etc'],
    ]);
  });

  it('checks the ground truth against its schema', async () => {
    await rewriteIndexed(TRUTH_FILE, JSON.stringify({ format: 1, scenarioId: 'x', rootCauses: [] }));
    const r = await verifyBundle(dir);
    expect(kinds(r)).toEqual([['invalid-ground-truth', TRUTH_FILE]]);
    expect(r.problems[0].message).toMatch(/^not a valid ground truth: rootCauses: /);
  });

  it('reports leak-rule findings as warnings, not problems', async () => {
    const line = JSON.stringify({
      ts: 't',
      entity: 'shop/Pod/x',
      line: 'FireDrill: enabling http-delay on payment',
    });
    const logs = await readFile(join(dir, SnapshotFile.logs), 'utf8');
    await rewriteIndexed(SnapshotFile.logs, `${logs}${line}\n${line}\n`);
    await rewriteIndexed(SnapshotFile.task, 'Scenario payment-latency: find the fault\n');
    const r = await verifyBundle(dir);
    expect(r.ok).toBe(true);
    expect(r.warnings.map((w) => [w.path, w.message])).toEqual([
      [SnapshotFile.logs, 'leak: line 21: names "firedrill" (2 lines in all)'],
      [SnapshotFile.logs, 'leak: line 21: names "http-delay" (2 lines in all)'],
      [SnapshotFile.task, 'leak: line 1: names "fault"'],
      [SnapshotFile.task, 'leak: line 1: names "payment-latency"'],
    ]);
    expect((await verifyBundle(dir, { leakCheck: false })).warnings).toEqual([]);
  });

  it('lists every problem of a badly damaged bundle at once', async () => {
    await unlink(join(dir, SnapshotFile.traces));
    await appendFile(join(dir, SnapshotFile.events), 'garbage\n');
    await writeFile(join(dir, 'truth', 'answer.json'), '[]');
    const m = await readManifest();
    m.files.find((f) => f.path === SnapshotFile.logs)!.bytes = 1;
    m.format = 3;
    await writeManifest(m);
    expect(kinds(await verifyBundle(dir))).toEqual([
      ['format-version', MANIFEST_FILE],
      ['bytes-mismatch', SnapshotFile.events],
      ['sha256-mismatch', SnapshotFile.events],
      ['invalid-ndjson-line', SnapshotFile.events],
      ['records-mismatch', SnapshotFile.events],
      ['bytes-mismatch', SnapshotFile.logs],
      ['missing-file', SnapshotFile.traces],
      ['extra-file', 'truth/answer.json'],
    ]);
  });
});

describe('verifyBundlePath', () => {
  it('verifies a packed bundle, naming files inside the archive', async () => {
    const { file } = await packBundle(dir);
    expect(await verifyBundlePath(file)).toMatchObject({ ok: true, packed: true, source: file, files: 9 });

    // pack refuses a damaged bundle, so the damaged archives are built by hand
    const rels = [MANIFEST_FILE, ...(await readManifest()).files.map((f) => f.path as string)];
    const entries = async (top: string, change: string): Promise<RawEntry[]> =>
      Promise.all(
        rels.map(async (rel) => ({
          name: `${top}/${rel}`,
          data: rel === change ? 'changed' : await readFile(join(dir, rel)),
        })),
      );
    const bad = join(work, 'bad.tar.gz');
    await writeFile(bad, rawTarGz(await entries('v-1', SnapshotFile.task)));
    const r = await verifyBundlePath(bad);
    expect(r.problems.map((p) => formatProblem(r, p))).toEqual([
      `${bad}!snapshot/task.md: is 7 bytes, manifest says 205`,
      expect.stringMatching(
        new RegExp(`^${bad}!snapshot/task\\.md: sha256 [0-9a-f]{64} differs from manifest`),
      ),
      `${bad}!snapshot/task.md: has 1 records, manifest says 4`,
    ]);

    const renamed = join(work, 'renamed.tar.gz');
    await writeFile(renamed, rawTarGz(await entries('other-name', '')));
    expect((await verifyBundlePath(renamed)).problems).toEqual([
      {
        kind: 'archive',
        path: '',
        message: 'top-level folder "other-name" does not match the manifest\'s bundleId "v-1"',
      },
    ]);
  });

  it('reports a damaged archive as one problem', async () => {
    const file = join(work, 'junk.tar.gz');
    await writeFile(file, Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3]));
    const r = await verifyBundlePath(file);
    expect(r.ok).toBe(false);
    expect(r.problems).toEqual([
      { kind: 'archive', path: '', message: expect.stringMatching(/^truncated or corrupt gzip stream/) },
    ]);
    expect(formatProblem(r, r.problems[0])).toMatch(new RegExp(`^${file}: truncated or corrupt gzip stream`));
  });
});
