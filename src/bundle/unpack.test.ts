import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { BundleError } from '../errors/bundle-error.js';
import { ExitCode } from '../errors/exit-codes.js';
import { rawTar, rawTarGz, type RawEntry } from './testing/raw-tar.js';
import { unpackBundle } from './unpack.js';

let work: string;
let dest: string;
let outside: string;
beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'firedrill-unpack-'));
  dest = join(work, 'dest');
  outside = join(work, 'outside');
  await mkdir(outside);
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

/** Every path under `root`, relative, sorted. */
async function tree(root: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(root, { withFileTypes: true, recursive: true }))
    out.push(join(e.parentPath ?? e.path, e.name).slice(root.length + 1));
  return out.sort();
}

/** Unpack bounds an archive by its manifest's files[]; verify, not unpack, checks the rest of it. */
const LISTED = [
  ['snapshot/task.md', 9],
  ['snapshot/big.ndjson', 100_000],
  ['truth/ground_truth.json', 2],
  ['snapshot/a-name-from-pax.txt', 7],
  [`snapshot/${'d'.repeat(90)}/${'f'.repeat(90)}.md`, 4],
] as const;
const MANIFEST: RawEntry = {
  name: 'b-1/manifest.json',
  data: JSON.stringify({ format: 1, files: LISTED.map(([path, bytes]) => ({ path, bytes })) }),
};
const GOOD: RawEntry[] = [
  { name: 'b-1/', type: '5' },
  MANIFEST,
  { name: 'b-1/snapshot/', type: '5' },
  { name: 'b-1/snapshot/task.md', data: 'question\n' },
];

/** Good entries first, so a one-pass extractor would already have written them. */
async function archive(bad: RawEntry[], opts: { end?: boolean; raw?: boolean } = {}): Promise<string> {
  const file = join(work, 'evil.tar.gz');
  const entries = [...GOOD, ...bad];
  await writeFile(file, opts.raw ? rawTar(entries, opts) : rawTarGz(entries, opts));
  return file;
}

async function expectRefused(file: string, message: RegExp): Promise<void> {
  const before = await tree(work);
  const err = (await unpackBundle(file, dest).catch((e: unknown) => e)) as BundleError;
  expect(err).toBeInstanceOf(BundleError);
  expect(err.exitCode).toBe(ExitCode.Failure);
  expect(err.message).not.toContain('\n');
  expect(err.message).toMatch(message);
  // nothing anywhere: not in dest, not beside it, not outside
  expect(await tree(work)).toEqual(before);
}

describe('unpackBundle refuses hostile archives and writes nothing', () => {
  it('an absolute path', async () => {
    const target = join(outside, 'pwned');
    await expectRefused(
      await archive([{ name: target, data: 'x' }]),
      new RegExp(`: unsafe entry "${target}": absolute path$`),
    );
  });

  it.each([['b-1/../../outside/pwned'], ['../pwned'], ['b-1/snapshot/../../../x'], ['./../x']])(
    "a '..' segment: %s",
    async (name) => {
      await expectRefused(await archive([{ name, data: 'x' }]), /unsafe entry ".*": '\.\.' segment$/);
    },
  );

  it('a symbolic link, even before anything goes through it', async () => {
    await expectRefused(
      await archive([
        { name: 'b-1/snapshot/etc', type: '2', linkname: outside },
        { name: 'b-1/snapshot/etc/pwned', data: 'x' },
      ]),
      new RegExp(`unsafe entry "b-1/snapshot/etc": symbolic link \\(to "${outside}"\\) refused$`),
    );
  });

  it('a hard link', async () => {
    await expectRefused(
      await archive([{ name: 'b-1/snapshot/passwd', type: '1', linkname: '/etc/passwd' }]),
      /unsafe entry "b-1\/snapshot\/passwd": hard link \(to "\/etc\/passwd"\) refused$/,
    );
  });

  it('a character device', async () => {
    await expectRefused(
      await archive([{ name: 'b-1/snapshot/null', type: '3' }]),
      /unsafe entry "b-1\/snapshot\/null": character device refused$/,
    );
  });

  it('a block device', async () => {
    await expectRefused(await archive([{ name: 'b-1/sda', type: '4' }]), /"b-1\/sda": block device refused$/);
  });

  it('a FIFO', async () => {
    await expectRefused(
      await archive([{ name: 'b-1/snapshot/pipe', type: '6' }]),
      /unsafe entry "b-1\/snapshot\/pipe": FIFO refused$/,
    );
  });

  it('an unknown entry type', async () => {
    await expectRefused(await archive([{ name: 'b-1/x', type: 'S' }]), /unsupported entry type 'S' refused$/);
  });

  it('a pax header that points an innocent-looking entry outside', async () => {
    await expectRefused(
      await archive([{ name: 'b-1/snapshot/ok.txt', data: 'x', pax: { path: '../../outside/pwned' } }]),
      /unsafe entry "\.\.\/\.\.\/outside\/pwned": '\.\.' segment$/,
    );
    await expectRefused(
      await archive([{ name: 'b-1/snapshot/ok.txt', data: 'x', pax: { path: join(outside, 'abs') } }]),
      /: absolute path$/,
    );
  });

  it('a global pax header setting a path', async () => {
    await expectRefused(
      await archive([{ name: 'pax_global_header', type: 'g', data: '20 path=../../pwned\n' }]),
      /global pax header at byte \d+ sets path "\.\.\/\.\.\/pwned" for every entry; refused$/,
    );
  });

  it('a GNU long name that escapes', async () => {
    await expectRefused(
      await archive([
        { name: '././@LongLink', type: 'L', data: '../../outside/pwned\0' },
        { name: 'b-1/short', data: 'x' },
      ]),
      /unsafe entry "\.\.\/\.\.\/outside\/pwned": '\.\.' segment$/,
    );
  });

  it('a backslash or a control character in a path', async () => {
    await expectRefused(await archive([{ name: 'b-1\\..\\x', data: 'x' }]), /backslash in path$/);
    await expectRefused(await archive([{ name: 'b-1/a\nb', data: 'x' }]), /control character in path$/);
  });

  it('a file that appears twice, or is also a folder', async () => {
    await expectRefused(await archive([{ name: 'b-1/snapshot/task.md', data: 'again' }]), /appears twice$/);
    await expectRefused(
      await archive([{ name: 'b-1/snapshot/task.md/x', data: 'x' }]),
      /its parent "b-1\/snapshot\/task\.md" is a file/,
    );
    await expectRefused(
      await archive([{ name: 'b-1/snapshot', data: 'x' }]),
      /"b-1\/snapshot": is a file and a folder/,
    );
  });

  it('truncated data', async () => {
    const whole = rawTar([...GOOD, { name: 'b-1/snapshot/big.ndjson', data: 'y'.repeat(5000) }]);
    const file = join(work, 'cut.tar.gz');
    await writeFile(file, gzipSync(whole.subarray(0, 3072 + 512 + 1000)));
    await expectRefused(
      file,
      /truncated archive: entry "b-1\/snapshot\/big\.ndjson" should have 5000 bytes, found \d+$/,
    );
  });

  it('a truncated gzip stream', async () => {
    const gz = rawTarGz([...GOOD, { name: 'b-1/snapshot/big.ndjson', data: 'z'.repeat(100_000) }]);
    const file = join(work, 'cut.tar.gz');
    await writeFile(file, gz.subarray(0, gz.length - 20));
    await expectRefused(file, /truncated or corrupt gzip stream/);
  });

  it('a missing end-of-archive marker and a partial header', async () => {
    await expectRefused(
      await archive([], { end: false }),
      /truncated archive: ends at byte \d+ without the end-of-archive marker$/,
    );
    const file = join(work, 'partial.tar');
    await writeFile(file, rawTar(GOOD, { end: false }).subarray(0, 2048 + 100));
    await expectRefused(file, /truncated archive: partial header at byte 2048$/);
  });

  it('a corrupt header (bad checksum) and something that is not an archive', async () => {
    const tar = rawTar(GOOD);
    tar[512 + 10] ^= 0xff;
    const file = join(work, 'bad.tar');
    await writeFile(file, tar);
    await expectRefused(file, /header at byte 512: bad checksum/);
    await writeFile(file, 'hello world, not a tar file'.repeat(40));
    await expectRefused(
      file,
      /: not a tar archive: it looks like text; a packed bundle is a \.tar\.gz or \.tar$/,
    );
  });

  it('an archive that is not one bundle folder with a manifest', async () => {
    const two = join(work, 'two.tar.gz');
    await writeFile(two, rawTarGz([MANIFEST, { name: 'other/manifest.json', data: '{}' }]));
    await expectRefused(two, /not a packed bundle: expected one top-level folder, found "b-1", "other"$/);
    const none = join(work, 'none.tar.gz');
    await writeFile(none, rawTarGz([{ name: 'b-1/snapshot/task.md', data: 'x' }]));
    await expectRefused(none, /not a packed bundle: b-1\/manifest\.json is missing$/);
    const flat = join(work, 'flat.tar.gz');
    await writeFile(flat, rawTarGz([{ name: 'manifest.json', data: '{}' }]));
    await expectRefused(flat, /not a packed bundle: top-level "manifest\.json" is not a folder$/);
  });

  it('a size cap', async () => {
    const file = await archive([{ name: 'b-1/snapshot/big.ndjson', data: 'x'.repeat(4096) }]);
    await expect(unpackBundle(file, dest, { maxBytes: 4000 })).rejects.toThrow(
      /add up to more than 4000 bytes/,
    );
    await expect(unpackBundle(file, dest, { maxEntries: 3 })).rejects.toThrow(/more than 3 entries/);
  });
});

describe('unpackBundle', () => {
  it('unpacks a good archive, honouring pax paths, ./ prefixes and ustar prefixes', async () => {
    const long = `b-1/snapshot/${'d'.repeat(90)}/${'f'.repeat(90)}.md`;
    const file = await archive([
      { name: './', type: '5' },
      { name: './b-1/truth/ground_truth.json', data: '{}' },
      { name: 'b-1/snapshot/short-name', data: 'via pax', pax: { path: 'b-1/snapshot/a-name-from-pax.txt' } },
      { name: `${'f'.repeat(90)}.md`, prefix: `b-1/snapshot/${'d'.repeat(90)}`, data: 'long' },
    ]);
    const r = await unpackBundle(file, dest);
    expect(r).toEqual({
      dir: join(dest, 'b-1'),
      bundleId: 'b-1',
      files: 5,
      bytes: Buffer.byteLength(MANIFEST.data as string) + 9 + 2 + 7 + 4,
    });
    expect(await tree(dest)).toEqual(
      [
        'b-1',
        'b-1/manifest.json',
        'b-1/snapshot',
        'b-1/snapshot/a-name-from-pax.txt',
        'b-1/snapshot/task.md',
        `b-1/snapshot/${'d'.repeat(90)}`,
        long,
        'b-1/truth',
        'b-1/truth/ground_truth.json',
      ].sort(),
    );
    expect(await readFile(join(dest, long), 'utf8')).toBe('long');
    expect(await readFile(join(dest, 'b-1/snapshot/a-name-from-pax.txt'), 'utf8')).toBe('via pax');
  });

  it('refuses to overwrite an existing bundle unless replace is set', async () => {
    const file = await archive([]);
    await unpackBundle(file, dest);
    await writeFile(join(dest, 'b-1', 'snapshot', 'task.md'), 'edited');
    await expect(unpackBundle(file, dest)).rejects.toThrow(/b-1 already exists; pass --replace/);
    expect(await readFile(join(dest, 'b-1', 'snapshot', 'task.md'), 'utf8')).toBe('edited');
  });

  it('names a missing archive', async () => {
    await expect(unpackBundle(join(work, 'nope.tar.gz'), dest)).rejects.toThrow(
      /nope\.tar\.gz: no such file$/,
    );
  });
});
