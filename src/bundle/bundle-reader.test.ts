import {
  appendFile,
  mkdir,
  mkdtemp,
  readFile,
  rename,
  rm,
  symlink,
  unlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BundleError } from '../errors/bundle-error.js';
import { IntegrityError } from '../errors/integrity-error.js';
import { openBundle } from './bundle-reader.js';
import { MANIFEST_FILE, SnapshotFile, TRUTH_FILE } from './layout.js';
import { packBundle } from './pack.js';
import { detachedDigestPath } from './root-digest.js';
import { heldScratch } from './scratch.js';
import { writeSampleBundle } from './testing/sample-bundle.js';

let work: string;
let dir: string;
beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'firedrill-reader-'));
  dir = await writeSampleBundle(work, 'r-1');
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

async function drain(it: AsyncIterable<unknown>): Promise<number> {
  let n = 0;
  for await (const _ of it) n++;
  return n;
}

describe('openBundle', () => {
  it('names the line of a record that is not JSON', async () => {
    await appendFile(join(dir, SnapshotFile.events), '{"ok": true}\n{broken\n');
    const b = await openBundle(dir, { checkReads: false });
    await expect(drain(b.readNdjson(SnapshotFile.events))).rejects.toThrow(
      new RegExp(`${join(dir, SnapshotFile.events)}: line 3: invalid JSON`),
    );
  });

  it('reads only paths inside the bundle', async () => {
    const b = await openBundle(dir);
    await expect(b.readText('../../etc/passwd')).rejects.toThrow(BundleError);
    await expect(b.readJson('snapshot/../manifest.json')).rejects.toThrow(/is not allowed/);
    expect(() => b.readNdjson('/etc/passwd')).toThrow(BundleError);
    expect(JSON.parse(await b.readText(MANIFEST_FILE))).toMatchObject({ bundleId: 'r-1' });
  });

  it('says which file is missing or broken', async () => {
    await unlink(join(dir, SnapshotFile.topology));
    await writeFile(join(dir, SnapshotFile.alerts), '{');
    await unlink(join(dir, SnapshotFile.logs));
    const b = await openBundle(dir, { checkReads: false });
    await expect(b.readJson(SnapshotFile.topology)).rejects.toThrow(
      `${join(dir, SnapshotFile.topology)}: missing`,
    );
    await expect(b.readJson(SnapshotFile.alerts)).rejects.toThrow(/alerts\.json: invalid JSON/);
    await expect(drain(b.readNdjson(SnapshotFile.logs))).rejects.toThrow(/logs\.ndjson: missing/);
  });

  it('refuses what is not a format-1 bundle', async () => {
    await expect(openBundle(join(work, 'none'))).rejects.toThrow(/none: no such file or directory/);
    const m = JSON.parse(await readFile(join(dir, MANIFEST_FILE), 'utf8')) as Record<string, unknown>;
    await writeFile(join(dir, MANIFEST_FILE), JSON.stringify({ ...m, format: 2 }));
    await expect(openBundle(dir)).rejects.toThrow(
      /bundle format 2 is not supported \(this firedrill reads format 1\)/,
    );
    await writeFile(join(dir, MANIFEST_FILE), JSON.stringify({ ...m, repeat: -1 }));
    await expect(openBundle(dir)).rejects.toThrow(/manifest\.json: repeat: /);
    await unlink(join(dir, MANIFEST_FILE));
    await expect(openBundle(dir)).rejects.toThrow(/no manifest\.json: not a bundle/);
  });

  it('verifies on request', async () => {
    await writeFile(join(dir, TRUTH_FILE), '{}');
    await expect(openBundle(dir, { checkReads: false })).resolves.toBeDefined();
    const err = (await openBundle(dir, { verify: true }).catch((e: unknown) => e)) as BundleError;
    expect(err.problems[0]).toBe(`${dir}: bundle does not verify:`);
    expect(err.problems.slice(1).join('\n')).toMatch(/ground_truth\.json: is 2 bytes/);
  });
});

describe('openBundle checks what it reads against the manifest', () => {
  it('refuses an edited ground truth, naming it, unless reads are unchecked', async () => {
    const path = join(dir, TRUTH_FILE);
    const text = await readFile(path, 'utf8');
    // the same size: only the digest can tell
    await writeFile(path, text.replace('shop/Deployment/payment', 'shop/Deployment/checkou'));
    const err = (await (await openBundle(dir)).groundTruth().catch((e: unknown) => e)) as IntegrityError;
    expect(err).toBeInstanceOf(IntegrityError);
    expect(err.exitCode).toBe(1);
    expect(err.file).toBe(path);
    expect(err.message).toMatch(/ground_truth\.json: sha256 [0-9a-f]{64} differs from manifest\.json/);
    const unchecked = await openBundle(dir, { checkReads: false });
    expect((await unchecked.groundTruth()).rootCauses[0].id).toBe('shop/Deployment/checkou');
  });

  it('stops reading a grown file at the first byte past its listed size', async () => {
    await appendFile(join(dir, SnapshotFile.logs), '{"x":1}\n'.repeat(1000));
    const b = await openBundle(dir);
    let seen = 0;
    const read = async (): Promise<void> => {
      for await (const _ of b.readNdjson(SnapshotFile.logs)) seen++;
    };
    await expect(read()).rejects.toThrow(/logs\.ndjson: is larger than the \d+ bytes manifest\.json says/);
    expect(seen).toBe(0);
  });

  it('checks a stream before it hands out a record', async () => {
    const path = join(dir, SnapshotFile.logs);
    const lines = (await readFile(path, 'utf8')).split('\n');
    lines[lines.length - 2] = lines[lines.length - 2].replace('checkout', 'CHECKOUT');
    await writeFile(path, lines.join('\n'));
    const b = await openBundle(dir);
    const first = async (): Promise<unknown> => {
      for await (const r of b.readNdjson(SnapshotFile.logs)) return r;
    };
    await expect(first()).rejects.toThrow(IntegrityError);
  });

  it('refuses a file the manifest does not list', async () => {
    await writeFile(join(dir, 'snapshot', 'extra.json'), '{}');
    const b = await openBundle(dir);
    await expect(b.readJson('snapshot/extra.json')).rejects.toThrow(
      /extra\.json: not listed in manifest\.json/,
    );
  });

  it('refuses a bundle holding a symbolic link anywhere, file or folder', async () => {
    const outside = join(work, 'outside');
    await mkdir(outside);
    await writeFile(join(outside, 'events.ndjson'), '{"secret": true}\n');
    await unlink(join(dir, SnapshotFile.events));
    await symlink(join(outside, 'events.ndjson'), join(dir, SnapshotFile.events));
    await expect(openBundle(dir, { checkReads: false })).rejects.toThrow(
      /refused: a bundle holds regular files and folders only[\s\S]*events\.ndjson: is a symbolic link/,
    );

    const other = await writeSampleBundle(work, 'r-2');
    await rename(join(other, 'truth'), join(work, 'forged-truth'));
    await symlink(join(work, 'forged-truth'), join(other, 'truth'));
    await expect(openBundle(other)).rejects.toThrow(/r-2\/truth: is a symbolic link/);
  });

  it('holds the bundle to a pinned root digest, and a packed bundle to the digest beside it', async () => {
    const b = await openBundle(dir);
    expect(b.rootSha256).toMatch(/^[0-9a-f]{64}$/);
    await expect(openBundle(dir, { rootSha256: b.rootSha256 })).resolves.toBeDefined();
    await expect(openBundle(dir, { rootSha256: '0'.repeat(64) })).rejects.toThrow(
      /manifest\.json: sha256 [0-9a-f]{64} differs from the pinned root digest 0{64}/,
    );

    const { file, digestFile } = await packBundle(dir);
    expect(digestFile).toBe(detachedDigestPath(file));
    expect(await readFile(digestFile, 'utf8')).toBe(`${b.rootSha256}  r-1/manifest.json\n`);
    const packed = await openBundle(file);
    expect(packed.rootSha256).toBe(b.rootSha256);
    await packed.close();
    await writeFile(digestFile, `${'1'.repeat(64)}  r-1/manifest.json\n`);
    await expect(openBundle(file)).rejects.toThrow(
      /differs from the root digest 1{64} in .*r-1\.bundle\.sha256/,
    );
    expect(heldScratch()).toEqual([]);
  });
});
