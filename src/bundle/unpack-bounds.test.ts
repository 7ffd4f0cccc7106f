import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { BundleError } from '../errors/bundle-error.js';
import { packBundle } from './pack.js';
import { heldScratch } from './scratch.js';
import { rawTar, rawTarGz, type RawEntry } from './testing/raw-tar.js';
import { writeSampleBundle } from './testing/sample-bundle.js';
import { unpackBundle } from './unpack.js';
import { verifyBundlePath } from './verify-path.js';

let work: string;
let dest: string;
beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'firedrill-unpack-bounds-'));
  dest = join(work, 'dest');
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

const manifest = (files: Array<[string, number]>): RawEntry => ({
  name: 'b-1/manifest.json',
  data: JSON.stringify({ format: 1, files: files.map(([path, bytes]) => ({ path, bytes })) }),
});

async function write(name: string, data: Buffer): Promise<string> {
  const file = join(work, name);
  await writeFile(file, data);
  return file;
}

async function refusal(file: string, opts: Parameters<typeof unpackBundle>[2] = {}): Promise<BundleError> {
  const err = (await unpackBundle(file, dest, opts).catch((e: unknown) => e)) as BundleError;
  expect(err).toBeInstanceOf(BundleError);
  expect(existsSync(dest) ? await readdir(dest) : []).toEqual([]);
  return err;
}

describe('unpack is bounded by the manifest', () => {
  it('refuses a file larger than its manifest lists at its header, before inflating it', async () => {
    // a 64 MiB file of zeros is 64 KiB of gzip; the manifest, read first, says 100 bytes
    const bomb = await write(
      'bomb.tar.gz',
      gzipSync(
        rawTar([
          { name: 'b-1/', type: '5' },
          manifest([['snapshot/logs.ndjson', 100]]),
          { name: 'b-1/snapshot/logs.ndjson', data: Buffer.alloc(64 * 1024 ** 2) },
        ]),
      ),
    );
    const err = await refusal(bomb);
    expect(err.message).toBe(
      `${bomb}: entry "b-1/snapshot/logs.ndjson": 67108864 bytes, more than the 100 its manifest lists; refused`,
    );
  });

  it('refuses a header announcing 10 GiB without reading a byte of it', async () => {
    const file = await write(
      'ten-gib.tar.gz',
      rawTarGz(
        [
          { name: 'b-1/', type: '5' },
          manifest([['snapshot/logs.ndjson', 10]]),
          { name: 'b-1/snapshot/logs.ndjson', size: 10 * 1024 ** 3 },
        ],
        { end: false },
      ),
    );
    expect((await refusal(file)).message).toMatch(/10737418240 bytes, more than the 10 its manifest lists/);
  });

  it('holds files that came before the manifest to it once it arrives', async () => {
    const file = await write(
      'late-manifest.tar.gz',
      rawTarGz([
        { name: 'b-1/', type: '5' },
        { name: 'b-1/snapshot/logs.ndjson', data: 'x'.repeat(5000) },
        manifest([['snapshot/logs.ndjson', 50]]),
      ]),
    );
    expect((await refusal(file)).message).toMatch(
      /"b-1\/snapshot\/logs\.ndjson": 5000 bytes, more than the 50/,
    );
  });

  it('refuses files the manifest does not list once they add up to more than it accounts for', async () => {
    const m = manifest([['snapshot/task.md', 10]]);
    const file = await write(
      'unlisted.tar.gz',
      rawTarGz([
        { name: 'b-1/', type: '5' },
        m,
        { name: 'b-1/snapshot/task.md', data: 'x'.repeat(10) },
        { name: 'b-1/snapshot/extra.bin', data: 'y'.repeat(4096) },
      ]),
    );
    const sum = Buffer.byteLength(m.data as string) + 10;
    expect((await refusal(file)).message).toBe(
      `${file}: files add up to more than the ${sum} bytes its manifest accounts for; refused`,
    );
  });

  it('refuses an archive whose manifest cannot bound it', async () => {
    const bad = await write(
      'bad-manifest.tar.gz',
      rawTarGz([
        { name: 'b-1/', type: '5' },
        { name: 'b-1/manifest.json', data: '{"format": 1, "files": "all of them"}' },
      ]),
    );
    expect((await refusal(bad)).message).toBe(
      `${bad}!b-1/manifest.json: no files[] list; the archive cannot be bounded by it, so nothing was unpacked`,
    );
  });

  it('keeps an absolute cap whatever the manifest claims, and checks the free disk', async () => {
    const entries: RawEntry[] = [
      { name: 'b-1/', type: '5' },
      manifest([['snapshot/logs.ndjson', 1e12]]),
      { name: 'b-1/snapshot/logs.ndjson', data: 'z'.repeat(8192) },
    ];
    const file = await write('big.tar.gz', rawTarGz(entries));
    expect((await refusal(file, { maxBytes: 4096 })).message).toBe(
      `${file}: files add up to more than 4096 bytes; refused`,
    );
    expect((await refusal(file, { freeBytes: () => Promise.resolve(1000) })).message).toMatch(
      /: not enough free space to unpack \d+ bytes \(1000 bytes free/,
    );
  });

  it('verify of a packed bomb leaves nothing in its temporary directory', async () => {
    const root = join(work, 'tmp');
    await mkdir(root);
    const bomb = await write(
      'bomb.tar.gz',
      gzipSync(
        rawTar([
          { name: 'b-1/', type: '5' },
          manifest([['snapshot/logs.ndjson', 1]]),
          { name: 'b-1/snapshot/logs.ndjson', data: Buffer.alloc(8 * 1024 ** 2) },
        ]),
      ),
    );
    const r = await verifyBundlePath(bomb, { tmpRoot: root });
    expect(r.problems.map((p) => p.kind)).toEqual(['archive']);
    expect(r.problems[0].message).toMatch(/more than the 1 its manifest lists/);
    expect(await readdir(root)).toEqual([]);
    expect(heldScratch()).toEqual([]);
  });
});

describe('unpack refuses what is not an archive or not a destination, with a message', () => {
  it('a directory, a FIFO, a zip file and an empty file named as the archive', async () => {
    const cases: Array<[string, RegExp]> = [];
    const asDir = join(work, 'dir.tar.gz');
    await mkdir(asDir);
    cases.push([asDir, /dir\.tar\.gz: is a directory, not a packed bundle \(\.tar\.gz or \.tar\)$/]);
    const fifo = join(work, 'pipe.tar.gz');
    execFileSync('mkfifo', [fifo]);
    cases.push([fifo, /pipe\.tar\.gz: is a FIFO, not a packed bundle/]);
    const zip = await write('bundle.zip', Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(600, 1)]));
    cases.push([
      zip,
      /bundle\.zip: not a tar archive: it is a zip archive; a packed bundle is a \.tar\.gz or \.tar$/,
    ]);
    const empty = await write('empty.tar', Buffer.alloc(0));
    cases.push([empty, /empty\.tar: not a tar archive: it is empty/]);
    const text = await write('notes.tar.gz', gzipSync('just some notes\n'));
    cases.push([text, /notes\.tar\.gz: not a tar archive: it looks like text/]);
    for (const [file, message] of cases) expect((await refusal(file)).message).toMatch(message);
  });

  it('an existing file, or a place where no directory can be made, as the destination', async () => {
    const { file } = await packBundle(await writeSampleBundle(join(work, 'src'), 'b-1'));
    const existing = await write('existing', Buffer.from('keep me'));
    await expect(unpackBundle(file, existing)).rejects.toThrow(
      `${existing}: exists and is not a directory; unpack into a directory`,
    );
    expect(await readFile(existing, 'utf8')).toBe('keep me');
    if (existsSync('/proc/self/status'))
      // Node's recursive mkdir spins forever here; the one-level-at-a-time mkdir reports it
      await expect(unpackBundle(file, '/proc/self/x')).rejects.toThrow(/^\/proc\/self\/x: cannot be created/);
  });
});

describe('unpack --replace', () => {
  async function packed(id: string): Promise<string> {
    return (await packBundle(await writeSampleBundle(join(work, `src-${id}`), id))).file;
  }

  it('replaces a bundle that verifies with one that verifies', async () => {
    const file = await packed('b-1');
    await unpackBundle(file, dest);
    const r = await unpackBundle(file, dest, { replace: true });
    expect(r.dir).toBe(join(dest, 'b-1'));
    expect(await readdir(dest)).toEqual(['b-1']);
  });

  it('leaves alone a directory that is not a bundle, even when the archive names it', async () => {
    const file = await packed('b-1');
    await mkdir(join(dest, 'b-1'), { recursive: true });
    await writeFile(join(dest, 'b-1', 'thesis.tex'), 'years of work');
    await expect(unpackBundle(file, dest, { replace: true })).rejects.toThrow(
      /b-1 exists and is not a bundle that --replace may overwrite \(it does not verify \(.*manifest\.json: missing/,
    );
    expect(await readFile(join(dest, 'b-1', 'thesis.tex'), 'utf8')).toBe('years of work');
  });

  it('leaves a damaged bundle alone too: it may be kept for inspection', async () => {
    const file = await packed('b-1');
    await unpackBundle(file, dest);
    await writeFile(join(dest, 'b-1', 'snapshot', 'task.md'), 'edited');
    await expect(unpackBundle(file, dest, { replace: true })).rejects.toThrow(/does not verify/);
    expect(await readFile(join(dest, 'b-1', 'snapshot', 'task.md'), 'utf8')).toBe('edited');
  });

  it('does not replace anything with an archive whose bundle does not verify', async () => {
    await unpackBundle(await packed('b-1'), dest);
    const before = await readFile(join(dest, 'b-1', 'manifest.json'), 'utf8');
    const evil = await write(
      'evil.tar.gz',
      rawTarGz([
        { name: 'b-1/', type: '5' },
        manifest([['snapshot/task.md', 5]]),
        { name: 'b-1/snapshot/task.md', data: 'hello' },
      ]),
    );
    await expect(unpackBundle(evil, dest, { replace: true })).rejects.toThrow(
      /not unpacked over .*b-1: the archive's bundle does not verify/,
    );
    expect(await readFile(join(dest, 'b-1', 'manifest.json'), 'utf8')).toBe(before);
    expect(await readdir(dest)).toEqual(['b-1']);
  });
});
