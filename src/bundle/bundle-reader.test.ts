import { appendFile, mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BundleError } from '../errors/bundle-error.js';
import { openBundle } from './bundle-reader.js';
import { MANIFEST_FILE, SnapshotFile, TRUTH_FILE } from './layout.js';
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
    const b = await openBundle(dir);
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
    const b = await openBundle(dir);
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
    await expect(openBundle(dir)).resolves.toBeDefined();
    const err = (await openBundle(dir, { verify: true }).catch((e: unknown) => e)) as BundleError;
    expect(err.problems[0]).toBe(`${dir}: bundle does not verify:`);
    expect(err.problems.slice(1).join('\n')).toMatch(/ground_truth\.json: is 2 bytes/);
  });
});
