import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TRUTH_FILE } from '../bundle/layout.js';
import { detachedDigestPath } from '../bundle/root-digest.js';
import { verifyBundle } from '../bundle/verify.js';
import { CorpusError } from '../errors/corpus-error.js';
import { defaultCatalog } from '../faults/catalog.js';
import { gradeCorpus } from '../grade/corpus.js';
import { FakeSubstrate } from '../platform/testing/fake-substrate.js';
import { loadRunnable } from '../runner/load-runnable.js';
import type { Scenario } from '../scenario/scenario.js';
import { CorpusLayout } from './corpus-layout.js';
import { mergeCorpora } from './merge-corpora.js';
import { runCorpus, type CorpusRunOptions } from './run-corpus.js';
import { fakeRun } from './testing/fake-run.js';
import { quietRunLog } from './testing/quiet-run-log.js';

const SCENARIOS = join(process.cwd(), 'tests', 'fixtures', 'corpus', 'scenarios');
const sha256 = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

let scenarios: Scenario[];
let root: string;
beforeAll(async () => {
  scenarios = await loadRunnable([SCENARIOS], 'local');
});
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'fd-corpus-digest-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

function options(outDir: string, extra: Partial<CorpusRunOptions> = {}): CorpusRunOptions {
  return {
    scenarios,
    outDir,
    repeats: 1,
    only: ['payment-slow'],
    substrateName: 'local',
    createSubstrate: () => Promise.resolve(new FakeSubstrate()),
    runOne: fakeRun(),
    registry: defaultCatalog(),
    secret: 'ab'.repeat(32),
    signal: new AbortController().signal,
    write: () => undefined,
    openRunLog: quietRunLog,
    ...extra,
  };
}

/** Edits the truth and rewrites its hash in the manifest (and the seed): the bundle still verifies. */
async function forgeConsistently(dir: string, opts: { seed?: boolean } = {}): Promise<void> {
  const truthPath = join(dir, TRUTH_FILE);
  const truth = JSON.parse(await readFile(truthPath, 'utf8')) as { rootCauses: Array<{ id: string }> };
  truth.rootCauses[0].id = 'shop/Deployment/frontend';
  const text = `${JSON.stringify(truth, null, 2)}\n`;
  await writeFile(truthPath, text);
  const m = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as {
    seed: number;
    files: Array<{ path: string; sha256: string; bytes: number }>;
  };
  Object.assign(
    m.files.find((f) => f.path === TRUTH_FILE)!,
    { sha256: sha256(text), bytes: text.length },
  );
  if (opts.seed !== false) m.seed += 1;
  await writeFile(join(dir, 'manifest.json'), `${JSON.stringify(m, null, 2)}\n`);
  expect((await verifyBundle(dir)).ok).toBe(true);
}

describe('the corpus index pins every bundle by its root digest', () => {
  it('records the digest of each manifest, and a detached digest beside each packed bundle', async () => {
    const out = join(root, 'out');
    const { index } = await runCorpus(options(out));
    const layout = new CorpusLayout(out);
    for (const row of index.rows) {
      const manifest = await readFile(join(layout.bundleDir(row.bundleId), 'manifest.json'));
      expect(row.bundle?.rootSha256).toBe(sha256(manifest));
      const detached = await readFile(detachedDigestPath(layout.packedFile(row.bundleId)), 'utf8');
      expect(detached).toBe(`${sha256(manifest)}  ${row.bundleId}/manifest.json\n`);
    }
  });

  it('grade --corpus finds the index and refuses a bundle edited consistently with its manifest', async () => {
    const out = join(root, 'out');
    const { index } = await runCorpus(options(out));
    const id = index.rows[0].bundleId;
    const answers = join(root, 'answers');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(answers);
    await writeFile(join(answers, `${id}.json`), JSON.stringify({ entities: ['shop/Deployment/frontend'] }));
    expect((await gradeCorpus(join(out, 'bundles'), answers)).errors).toEqual([]);

    await forgeConsistently(new CorpusLayout(out).bundleDir(id));
    const c = await gradeCorpus(join(out, 'bundles'), answers);
    expect(c.errors).toEqual([
      expect.stringMatching(/differs from the root digest .* in .*corpus\/index\.json/),
    ]);
    expect(c.tasks).toEqual([]);
  });

  it('merge refuses a shard bundle that differs from what its shard index pinned', async () => {
    const shard = join(root, 's1');
    const { index } = await runCorpus(options(shard));
    await forgeConsistently(new CorpusLayout(shard).bundleDir(index.rows[0].bundleId));
    const err = await mergeCorpora({
      shardDirs: [shard],
      outDir: join(root, 'm'),
      write: () => undefined,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CorpusError);
    expect((err as Error).message).toMatch(
      /manifest\.json: sha256 [0-9a-f]{64} differs from the root digest/,
    );
  });

  it('resume redoes a bundle that differs from what the index pinned', async () => {
    const out = join(root, 'out');
    const { index } = await runCorpus(options(out));
    const id = index.rows[0].bundleId;
    // the seed stays: resume already redoes a bundle that holds another run
    await forgeConsistently(new CorpusLayout(out).bundleDir(id), { seed: false });
    const again = await runCorpus(options(out, { resume: true }));
    expect(again.ran).toBe(1);
    expect(again.removed.map((r) => r.reason)).toEqual([
      expect.stringMatching(/differs from the root digest/),
    ]);
  });
});
