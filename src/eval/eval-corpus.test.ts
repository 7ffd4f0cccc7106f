import { appendFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSampleBundle } from '../bundle/testing/sample-bundle.js';
import { packBundle } from '../bundle/pack.js';
import { loadEvalCorpus } from './eval-corpus.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'eval-corpus-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('loadEvalCorpus', () => {
  it('finds bundle directories and packed bundles, once each, with their truth', async () => {
    const root = join(dir, 'mixed');
    await writeSampleBundle(join(root, 'bundles'), 'incident-aaa');
    const packed = await writeSampleBundle(join(root, 'staging'), 'incident-bbb');
    await packBundle(packed, join(root, 'bundles', 'incident-bbb.tar.gz'));
    // packed beside its own directory: the same bundle
    await packBundle(join(root, 'bundles', 'incident-aaa'));
    const c = await loadEvalCorpus(root);
    try {
      expect(c.errors).toEqual([]);
      expect(c.tasks.map((t) => [t.bundleId, t.scenarioId, t.source.endsWith('.tar.gz')])).toEqual([
        ['incident-aaa', 'payment-latency', false],
        ['incident-bbb', 'payment-latency', true],
      ]);
      expect(c.tasks[1].truth.rootCauses[0].id).toBe('shop/Deployment/payment');
      expect(c.tasks[0].snapshotFiles).toContain('snapshot/task.md');
      expect(c.tasks[0].snapshotFiles.every((f) => f.startsWith('snapshot/'))).toBe(true);
    } finally {
      await c.close();
    }
  });

  it('leaves out a bundle that does not verify, saying why', async () => {
    const root = join(dir, 'damaged');
    await writeSampleBundle(join(root, 'bundles'), 'incident-ok');
    const bad = await writeSampleBundle(join(root, 'bundles'), 'incident-bad');
    await appendFile(join(bad, 'snapshot', 'task.md'), 'changed after the fact\n');
    const c = await loadEvalCorpus(root);
    await c.close();
    expect(c.tasks.map((t) => t.bundleId)).toEqual(['incident-ok']);
    expect(c.errors).toEqual([
      expect.stringMatching(/incident-bad: not evaluated: the bundle does not verify: .*task\.md/),
    ]);
  });

  it('refuses a directory without bundles', async () => {
    await expect(loadEvalCorpus(join(dir, 'damaged', 'bundles', 'incident-ok', 'snapshot'))).rejects.toThrow(
      /no bundles in/,
    );
  });
});
