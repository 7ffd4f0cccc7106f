import { cp, mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BundleWriter } from '../bundle/bundle-writer.js';
import type { GroundTruth } from '../bundle/ground-truth.js';
import { packBundle } from '../bundle/pack.js';
import { InvalidInputError } from '../errors/index.js';
import { gradeCorpus } from './corpus.js';
import type { PackedBundleOpener } from './packed-bundle.js';
import { corpusToJson, formatCorpus } from './report.js';

const CORPUS = join(process.cwd(), 'tests', 'fixtures', 'grade', 'corpus');
const BUNDLES = join(CORPUS, 'bundles');
const ANSWERS = join(CORPUS, 'answers');

/*
 * The fixture corpus, by hand:
 *   checkout-latency (1 root cause)
 *     r0  answers/checkout-latency-r0.json    [svc/frontend, deploy/checkout]  AP 1/2, p 1/2, f1 2/3, AC@1 0
 *     r1  answers/checkout-latency-r1/1.json  [{name: Pod/checkout-0}]         AP 1,   p 1,   f1 1,   AC@1 1
 *     task: AP 3/4, p 3/4, r 1, f1 5/6, AC@1 1/2, AC@2..5 1
 *   cart-redis-down (2 root causes: redis StatefulSet, cart-config ConfigMap), bundles nested one level deeper
 *     r0  truncated JSON → 0;   r1  no answer → 0
 *     r2  answers/cart-redis-down-r2/2.json  [po/redis-0, frontend, cm/cart-config]  AP (1/1+2/3)/2 = 5/6,
 *         p 2/3, r 1, f1 4/5, AC@3..5 1
 *     task: AP 5/18, p 2/9, r 1/3, f1 4/15, AC@1,2 0, AC@3..5 1/3
 *   corpus = mean over the two tasks: AP (3/4 + 5/18)/2 = 37/72, p (3/4 + 2/9)/2 = 35/72, r (1 + 1/3)/2 = 2/3,
 *     f1 (5/6 + 4/15)/2 = 11/20, AC@1 1/4, AC@2 1/2, AC@3..5 2/3.
 *   (A flat mean over the five runs would give AP 7/15: the test pins task-level averaging.)
 */
describe('gradeCorpus on the fixture corpus', () => {
  it('averages repeats per task, then tasks', async () => {
    const c = await gradeCorpus(BUNDLES, ANSWERS);
    expect(c.tasks.map((t) => t.scenarioId)).toEqual(['cart-redis-down', 'checkout-latency']);
    const [cart, checkout] = c.tasks;

    expect(checkout.runs.map((r) => [r.bundleId, r.repeat])).toEqual([
      ['checkout-latency-r0', 0],
      ['checkout-latency-r1', 1],
    ]);
    expect(checkout.apFullRecall).toBeCloseTo(3 / 4, 12);
    expect(checkout.precision).toBeCloseTo(3 / 4, 12);
    expect(checkout.recall).toBeCloseTo(1, 12);
    expect(checkout.f1).toBeCloseTo(5 / 6, 12);
    expect(checkout.acAt).toEqual({ '1': 0.5, '2': 1, '3': 1, '4': 1, '5': 1 });

    expect(cart.runs.map((r) => r.score.apFullRecall)).toEqual([0, 0, expect.closeTo(5 / 6, 12)]);
    expect(cart.apFullRecall).toBeCloseTo(5 / 18, 12);
    expect(cart.precision).toBeCloseTo(2 / 9, 12);
    expect(cart.recall).toBeCloseTo(1 / 3, 12);
    expect(cart.f1).toBeCloseTo(4 / 15, 12);
    expect(cart.acAt['3']).toBeCloseTo(1 / 3, 12);
    expect(cart.acAt['2']).toBe(0);

    expect(c.apFullRecall).toBeCloseTo(37 / 72, 12);
    expect(c.precision).toBeCloseTo(35 / 72, 12);
    expect(c.recall).toBeCloseTo(2 / 3, 12);
    expect(c.f1).toBeCloseTo(11 / 20, 12);
    expect(c.acAt['1']).toBeCloseTo(1 / 4, 12);
    expect(c.acAt['2']).toBeCloseTo(1 / 2, 12);
    expect(c.acAt['5']).toBeCloseTo(2 / 3, 12);
    expect(c.errors).toEqual([]);
  });

  it('uses <bundleId>/<repeat>.json before <bundleId>.json and records which', async () => {
    const c = await gradeCorpus(BUNDLES, ANSWERS);
    const runs = c.tasks.flatMap((t) => t.runs);
    const answerOf = (id: string): string | null => runs.find((r) => r.bundleId === id)?.answerPath ?? null;
    expect(answerOf('checkout-latency-r0')).toBe(join(ANSWERS, 'checkout-latency-r0.json'));
    expect(answerOf('checkout-latency-r1')).toBe(join(ANSWERS, 'checkout-latency-r1', '1.json'));
    expect(answerOf('cart-redis-down-r1')).toBeNull();
  });

  it('warns about the malformed, the missing and the stray answer', async () => {
    const { warnings } = await gradeCorpus(BUNDLES, ANSWERS);
    expect(warnings).toHaveLength(3);
    expect(warnings[0]).toMatch(
      /^cart-redis-down-r0 \(repeat 0\): .*cart-redis-down-r0\.json is not valid JSON/,
    );
    expect(warnings[1]).toMatch(
      /^cart-redis-down-r1 \(repeat 1\): no answer: neither .*1\.json nor .*\.json exists/,
    );
    expect(warnings[2]).toMatch(/checkout-latncy-r0\.json: matches no bundle/);
  });

  it('renders a table row per task and JSON with every run', async () => {
    const c = await gradeCorpus(BUNDLES, ANSWERS);
    const table = formatCorpus(c).split('\n');
    expect(table[0]).toMatch(/^task\s+runs\s+apFullRecall\s+P@fullRecall\s+precision\s+recall\s+f1\s+AC@1/);
    expect(table[1]).toMatch(/^cart-redis-down\s+3\s+0\.278\s+0\.222\s+0\.222\s+0\.333\s+0\.267/);
    expect(table[2]).toMatch(/^checkout-latency\s+2\s+0\.750\s+0\.750\s+0\.750\s+1\.000\s+0\.833/);
    expect(table[3]).toMatch(/^corpus \(2 tasks\)\s+5\s+0\.514\s+0\.486\s+0\.486\s+0\.667\s+0\.550/);

    const json = JSON.parse(JSON.stringify(corpusToJson(c))) as ReturnType<typeof corpusToJson>;
    expect(json.apFullRecall).toBeCloseTo(37 / 72, 12);
    expect(json.tasks[1]).toMatchObject({ scenarioId: 'checkout-latency', repeats: 2 });
    expect(json.tasks[1].runs[0]).toMatchObject({
      bundleId: 'checkout-latency-r0',
      repeat: 0,
      matched: ['shop/Deployment/checkout'],
      unmatched: [],
    });
    expect(json.tasks[0].runs[1]).toMatchObject({ answer: null, apFullRecall: 0 });
  });
});

describe('gradeCorpus edge cases', () => {
  let dir: string;
  const truthText = (): Promise<string> =>
    readFile(join(BUNDLES, 'checkout-latency-r0', 'truth', 'ground_truth.json'), 'utf8');

  async function bundle(path: string, manifest: object | null, truth: string): Promise<void> {
    await mkdir(join(path, 'truth'), { recursive: true });
    await writeFile(join(path, 'truth', 'ground_truth.json'), truth);
    if (manifest) await writeFile(join(path, 'manifest.json'), JSON.stringify(manifest));
  }

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'firedrill-corpus-'));
    await mkdir(join(dir, 'answers'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reports unreadable and unfinished bundles as errors and leaves them out of the means', async () => {
    const b = join(dir, 'bundles');
    await bundle(
      join(b, 'good'),
      { bundleId: 'good', scenarioId: 'checkout-latency', repeat: 0 },
      await truthText(),
    );
    await bundle(join(b, 'broken'), { bundleId: 'broken', scenarioId: 'checkout-latency', repeat: 1 }, '{');
    await bundle(join(b, 'unfinished'), null, await truthText());
    await bundle(join(b, '.staging-123'), null, '{');
    await writeFile(
      join(dir, 'answers', 'good.json'),
      JSON.stringify({ entities: ['shop/Deployment/checkout'] }),
    );

    const c = await gradeCorpus(b, join(dir, 'answers'), { verify: false });
    expect(c.errors).toHaveLength(2);
    expect(c.errors.join('\n')).toMatch(/unfinished: not graded: no manifest\.json/);
    expect(c.errors.join('\n')).toMatch(/broken: not graded: .*not valid JSON/);
    expect(c.tasks).toHaveLength(1);
    expect(c.tasks[0].runs).toHaveLength(1);
    expect(c.apFullRecall).toBe(1);
    expect(formatCorpus(c)).toContain('2 bundle(s) not graded');
  });

  it('grades a bundle found twice once, with a warning', async () => {
    const b = join(dir, 'bundles');
    await cp(join(BUNDLES, 'checkout-latency-r0'), join(b, 'a'), { recursive: true });
    await cp(join(BUNDLES, 'checkout-latency-r0'), join(b, 'b'), { recursive: true });
    const c = await gradeCorpus(b, join(dir, 'answers'));
    expect(c.tasks[0].runs).toHaveLength(1);
    expect(c.warnings.some((w) => /duplicates .*[\\/]a; graded once/.test(w))).toBe(true);
  });

  it('grades packed bundles through the opener', async () => {
    const b = join(dir, 'bundles');
    await mkdir(b);
    await writeFile(join(b, 'packed-3.tar.gz'), '');
    const truth = JSON.parse(await truthText()) as GroundTruth;
    const opener: PackedBundleOpener = () =>
      Promise.resolve({
        manifest: { bundleId: 'packed-3', scenarioId: 'checkout-latency', repeat: 3 },
        groundTruth: () => Promise.resolve(truth),
        close: () => undefined,
      });
    await mkdir(join(dir, 'answers', 'packed-3'));
    await writeFile(
      join(dir, 'answers', 'packed-3', '3.json'),
      JSON.stringify({ entities: ['x/y', 'shop/svc/checkout'] }),
    );
    const c = await gradeCorpus(b, join(dir, 'answers'), { openPacked: opener });
    // unparseable at 1, the Service alias at 2 → AP 1/2
    expect(c.tasks[0].runs[0]).toMatchObject({ bundleId: 'packed-3', repeat: 3 });
    expect(c.apFullRecall).toBeCloseTo(1 / 2, 12);
  });

  it('grades a packed copy beside its directory once, and a lone packed bundle through the reader', async () => {
    const b = join(dir, 'bundles');
    await mkdir(b);
    const w = await BundleWriter.create(b, 'real-r0');
    try {
      await w.writeText('snapshot/task.md', '# Incident\n');
      await w.writeText('truth/ground_truth.json', await truthText());
      const t = '2025-01-01T00:00:00.000Z';
      const times = { windowStart: t, windowEnd: t, injectedAt: null, manifestedAt: null, capturedAt: t };
      const fields = {
        scenarioId: 'checkout-latency',
        scenarioHash: 'h',
        seed: 1,
        substrate: 'local',
        times,
      };
      const real = await w.commit({ ...fields, repeat: 0, manifested: true });
      await packBundle(real); // writes bundles/real-r0.tar.gz beside bundles/real-r0
      await packBundle(real, join(b, 'renamed-copy.tar.gz')); // same bundle under another name
    } finally {
      await w.abort();
    }
    await writeFile(join(b, 'damaged.tar.gz'), 'not gzip');
    await writeFile(
      join(dir, 'answers', 'real-r0.json'),
      JSON.stringify({ entities: ['shop/Deployment/checkout'] }),
    );

    const c = await gradeCorpus(b, join(dir, 'answers'));
    expect(c.tasks[0].runs).toHaveLength(1);
    expect(c.tasks[0].runs[0].bundlePath).toBe(join(b, 'real-r0'));
    expect(c.apFullRecall).toBe(1);
    expect(c.warnings).toHaveLength(1);
    expect(c.warnings[0]).toMatch(/renamed-copy\.tar\.gz duplicates .*real-r0; graded once/);
    expect(c.errors).toHaveLength(1);
    expect(c.errors[0]).toMatch(/damaged\.tar\.gz: not graded/);
  });

  it('rejects a corpus with no bundles and a missing answers directory as bad usage', async () => {
    await mkdir(join(dir, 'empty'));
    await expect(gradeCorpus(join(dir, 'empty'), join(dir, 'answers'))).rejects.toThrow(/no bundles under/);
    await expect(gradeCorpus(BUNDLES, join(dir, 'nope'))).rejects.toThrow(InvalidInputError);
  });
});
