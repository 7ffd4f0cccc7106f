import { chmod, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { BundleError } from '../errors/bundle-error.js';
import { openBundle } from './bundle-reader.js';
import { MANIFEST_FILE, SnapshotFile } from './layout.js';
import { GZIP_OS_UNIX, packBundle } from './pack.js';
import { BLOCK_SIZE, TarError, decodeHeader, encodeHeader } from './tar.js';
import { readTar, type TarEntry } from './tar-reader.js';
import { writeSampleBundle } from './testing/sample-bundle.js';
import { unpackBundle } from './unpack.js';
import { verifyBundle } from './verify.js';

let work: string;
beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'firedrill-pack-'));
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

async function* once(buf: Buffer): AsyncGenerator<Buffer> {
  yield buf;
}

async function entriesOf(tar: Buffer): Promise<TarEntry[]> {
  const out: TarEntry[] = [];
  for await (const ev of readTar(once(tar))) if (ev.type === 'entry') out.push(ev.entry);
  return out;
}

describe('packBundle', () => {
  it('packs the same bundle to the same bytes, whatever the mtimes, modes or output path', async () => {
    const dir = await writeSampleBundle(work, 'det-1');
    const a = await packBundle(dir, join(work, 'a.tar.gz'));
    const first = await readFile(a.file);

    const past = new Date('2001-02-03T04:05:06Z');
    for (const rel of [MANIFEST_FILE, SnapshotFile.logs, SnapshotFile.task, 'snapshot', 'truth', '.'])
      await utimes(join(dir, rel), past, past);
    await chmod(join(dir, SnapshotFile.logs), 0o600);
    await chmod(join(dir, 'snapshot'), 0o700);
    const b = await packBundle(dir, join(work, 'b.tar.gz'));
    expect(Buffer.compare(await readFile(b.file), first)).toBe(0);

    // a second bundle written independently from the same content packs identically too
    const other = await mkdtemp(join(tmpdir(), 'firedrill-pack-other-'));
    try {
      const c = await packBundle(await writeSampleBundle(other, 'det-1'), join(work, 'c.tar.gz'));
      expect(Buffer.compare(await readFile(c.file), first)).toBe(0);
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });

  it('writes <dir>.tar.gz by default, with a fixed gzip header and fixed tar headers', async () => {
    const dir = await writeSampleBundle(work, 'hdr-1');
    const r = await packBundle(`${dir}/`);
    expect(r).toMatchObject({ file: `${dir}.tar.gz`, bundleId: 'hdr-1', entries: 13 });
    const gz = await readFile(r.file);
    expect(r.bytes).toBe(gz.length);
    expect([...gz.subarray(0, 4)]).toEqual([0x1f, 0x8b, 8, 0]); // deflate, no FNAME/FEXTRA/FCOMMENT
    expect(gz.readUInt32LE(4)).toBe(0); // mtime
    expect(gz[9]).toBe(GZIP_OS_UNIX);

    const tar = gunzipSync(gz);
    const entries = await entriesOf(tar);
    expect(entries.map((e) => e.path)).toEqual([
      'hdr-1/',
      'hdr-1/manifest.json',
      'hdr-1/snapshot/',
      'hdr-1/snapshot/alerts.json',
      'hdr-1/snapshot/events.ndjson',
      'hdr-1/snapshot/logs.ndjson',
      'hdr-1/snapshot/metrics.ndjson',
      'hdr-1/snapshot/objects.ndjson',
      'hdr-1/snapshot/task.md',
      'hdr-1/snapshot/topology.json',
      'hdr-1/snapshot/traces.ndjson',
      'hdr-1/truth/',
      'hdr-1/truth/ground_truth.json',
    ]);
    for (const e of entries) {
      const h = tar.subarray(e.offset, e.offset + BLOCK_SIZE);
      const field = (from: number, len: number): string => h.subarray(from, from + len).toString('latin1');
      expect(field(108, 8)).toBe('0000000\0'); // uid
      expect(field(116, 8)).toBe('0000000\0'); // gid
      expect(field(136, 12)).toBe('00000000000\0'); // mtime
      expect(field(265, 64)).toBe('\0'.repeat(64)); // uname, gname
      expect(decodeHeader(h, e.offset).mode).toBe(e.kind === 'directory' ? 0o755 : 0o644);
    }
  });

  it('unpacks to a bundle with the same files that still verifies', async () => {
    const dir = await writeSampleBundle(work, 'rt-1');
    const { file } = await packBundle(dir);
    const dest = join(work, 'unpacked');
    const r = await unpackBundle(file, dest);
    expect((await verifyBundle(r.dir)).problems).toEqual([]);
    for (const rel of [MANIFEST_FILE, SnapshotFile.logs, SnapshotFile.task])
      expect(await readFile(join(r.dir, rel), 'utf8')).toBe(await readFile(join(dir, rel), 'utf8'));

    // the reader opens the archive directly and cleans up after itself
    const b = await openBundle(file, { tmpRoot: work });
    const tmp = b.dir;
    expect(tmp.startsWith(join(work, 'firedrill-bundle-'))).toBe(true);
    expect(await b.readText(SnapshotFile.task)).toBe(await readFile(join(dir, SnapshotFile.task), 'utf8'));
    await b.close();
    expect((await readdir(work)).filter((n) => n.startsWith('firedrill-bundle-'))).toEqual([]);
  });

  it('refuses a bundle that does not verify, listing its problems, and writes nothing', async () => {
    const dir = await writeSampleBundle(work, 'bad-1');
    await writeFile(join(dir, SnapshotFile.task), 'tampered');
    await writeFile(join(dir, 'snapshot', 'extra.txt'), 'x');
    const err = (await packBundle(dir).catch((e: unknown) => e)) as BundleError;
    expect(err).toBeInstanceOf(BundleError);
    expect(err.problems).toEqual([
      `${dir}: not packed, the bundle does not verify:`,
      `${join(dir, SnapshotFile.task)}: is 8 bytes, manifest says 205`,
      expect.stringContaining(`${join(dir, SnapshotFile.task)}: sha256 `),
      `${join(dir, SnapshotFile.task)}: has 1 records, manifest says 4`,
      `${join(dir, 'snapshot/extra.txt')}: not listed in manifest.json`,
    ]);
    expect((await readdir(work)).sort()).toEqual(['bad-1']);
  });

  it('refuses to write the archive inside the bundle', async () => {
    const dir = await writeSampleBundle(work, 'in-1');
    await expect(packBundle(dir, join(dir, 'x.tar.gz'))).rejects.toThrow(
      /may not be written inside the bundle/,
    );
    expect((await verifyBundle(dir)).ok).toBe(true);
  });
});

describe('ustar headers', () => {
  it('stores long paths in prefix + name and reads them back', () => {
    const path = `b/${'p'.repeat(120)}/${'n'.repeat(99)}`;
    const h = encodeHeader({ path, type: 'file', size: 3 });
    expect(h.subarray(345, 345 + 122).toString()).toBe(`b/${'p'.repeat(120)}`);
    expect(decodeHeader(h, 0)).toMatchObject({ path, typeflag: '0', size: 3, mode: 0o644 });
    const dirPath = `b/${'p'.repeat(150)}/${'n'.repeat(98)}/`;
    expect(decodeHeader(encodeHeader({ path: dirPath, type: 'directory', size: 0 }), 0).path).toBe(dirPath);
  });

  it('refuses paths ustar cannot hold', () => {
    expect(() => encodeHeader({ path: 'x'.repeat(256), type: 'file', size: 0 })).toThrow(
      /path is 256 bytes; ustar stores at most 255/,
    );
    expect(() =>
      encodeHeader({ path: `${'a'.repeat(20)}/${'b'.repeat(150)}`, type: 'file', size: 0 }),
    ).toThrow(TarError);
    expect(() => encodeHeader({ path: 'x', type: 'file', size: 2 ** 33 })).toThrow(
      /more than ustar can store/,
    );
  });
});
