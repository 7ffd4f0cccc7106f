import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GroundTruth } from '../bundle/ground-truth.js';
import { MANIFEST_FILE, TRUTH_FILE } from '../bundle/layout.js';
import { packBundle } from '../bundle/pack.js';
import { rawTarGz } from '../bundle/testing/raw-tar.js';
import { sampleGroundTruth, writeSampleBundle } from '../bundle/testing/sample-bundle.js';
import { verifyBundle } from '../bundle/verify.js';
import { BundleError, IntegrityError, UnreadableInputError } from '../errors/index.js';
import { MAX_ANSWER_WARNINGS, MAX_PREDICTIONS } from './answer.js';
import { gradeCorpus } from './corpus.js';
import { loadTruth } from './load-truth.js';
import { MAX_ANSWER_BYTES, readAnswerFile } from './read-answer.js';
import { scoreAnswer } from './score.js';

let work: string;
beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'firedrill-grade-hostile-'));
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

const sha256 = (text: string | Buffer): string => createHash('sha256').update(text).digest('hex');

type RawManifest = { seed: number; files: Array<{ path: string; sha256: string; bytes: number }> };

/** The forged answer key: the root cause moved to what the agent named. */
function forged(): GroundTruth {
  const t = sampleGroundTruth();
  return { ...t, rootCauses: [{ id: 'shop/Deployment/checkout', aliases: [] }] };
}

describe('grade verifies the truth it reads', () => {
  it('refuses an edited truth in a bundle directory, naming it (exit 1); --no-verify grades it', async () => {
    const dir = await writeSampleBundle(work, 'b-1');
    await writeFile(join(dir, TRUTH_FILE), JSON.stringify(forged()));
    const err = (await loadTruth(dir).catch((e: unknown) => e)) as IntegrityError;
    expect(err).toBeInstanceOf(IntegrityError);
    expect(err.exitCode).toBe(1);
    expect(err.file).toBe(join(dir, TRUTH_FILE));
    const loaded = await loadTruth(dir, { verify: false });
    expect(loaded.truth.rootCauses[0].id).toBe('shop/Deployment/checkout');
  });

  it('refuses an edited truth inside a packed bundle', async () => {
    const dir = await writeSampleBundle(work, 'b-1');
    const m = JSON.parse(await readFile(join(dir, MANIFEST_FILE), 'utf8')) as RawManifest;
    const file = join(work, 'b-1.tar.gz');
    const entries = await Promise.all(
      [MANIFEST_FILE, ...m.files.map((f) => f.path)].map(async (rel) => ({
        name: `b-1/${rel}`,
        data: rel === TRUTH_FILE ? JSON.stringify(forged()) : await readFile(join(dir, rel)),
      })),
    );
    await writeFile(file, rawTarGz(entries));
    await expect(loadTruth(file)).rejects.toThrow(
      new RegExp(`${file}!truth/ground_truth\\.json: is \\d+ bytes, manifest\\.json says \\d+; refused`),
    );
  });

  it('refuses a bundle whose truth/ is a link to a forged one, verified or not', async () => {
    const dir = await writeSampleBundle(work, 'b-1');
    const elsewhere = join(work, 'forged');
    await mkdir(elsewhere);
    await writeFile(join(elsewhere, 'ground_truth.json'), JSON.stringify(forged()));
    await rm(join(dir, 'truth'), { recursive: true });
    await symlink(elsewhere, join(dir, 'truth'));
    await expect(loadTruth(dir)).rejects.toThrow(BundleError);
    await expect(loadTruth(dir, { verify: false })).rejects.toThrow(
      /truth: not a directory \(a link\?\); refused/,
    );
  });

  it('refuses a truth naming one root cause twice (the task would be unwinnable)', async () => {
    const p = join(work, 'dup.json');
    await writeFile(
      p,
      JSON.stringify({
        format: 1,
        scenarioId: 's',
        rootCauses: [{ id: 'shop/Deployment/payment' }, { id: 'shop/deploy/payment' }],
      }),
    );
    const err = (await loadTruth(p).catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(UnreadableInputError);
    expect(err.message).toMatch(
      /rootCauses\.1\.id: root cause "shop\/deploy\/payment" is shop\/Deployment\/payment, the same entity as rootCauses\.0/,
    );
  });

  it('refuses a FIFO as the truth without waiting for a writer', async () => {
    const fifo = join(work, 'truth.json');
    execFileSync('mkfifo', [fifo]);
    await expect(loadTruth(fifo)).rejects.toThrow(/truth\.json: is a FIFO, not a regular file; refused/);
  });
});

describe('grade --corpus checks the root digests a corpus index pins', () => {
  /** `<out>/bundles/<id>` and `<out>/corpus/index.json` as `corpus run` lays them out. */
  async function corpus(): Promise<{ out: string; dir: string; answers: string; root: string }> {
    const out = join(work, 'out');
    const dir = await writeSampleBundle(join(out, 'bundles'), 'b-1');
    const root = (await verifyBundle(dir)).rootSha256 as string;
    await mkdir(join(out, 'corpus'));
    const row = {
      bundleId: 'b-1',
      status: 'complete',
      bundle: { path: 'bundles/b-1', bytes: 1, rootSha256: root },
    };
    await writeFile(join(out, 'corpus', 'index.json'), JSON.stringify({ format: 1, rows: [row] }));
    const answers = join(work, 'answers');
    await mkdir(answers);
    await writeFile(join(answers, 'b-1.json'), JSON.stringify({ entities: ['shop/Deployment/checkout'] }));
    return { out, dir, answers, root };
  }

  it('grades an intact corpus', async () => {
    const { out, answers } = await corpus();
    const c = await gradeCorpus(join(out, 'bundles'), answers);
    expect(c.errors).toEqual([]);
    expect(c.tasks[0].runs).toHaveLength(1);
  });

  it('refuses a consistent edit of the truth, its hash in the manifest and the seed', async () => {
    const { out, dir, answers, root } = await corpus();
    const text = JSON.stringify(forged());
    await writeFile(join(dir, TRUTH_FILE), text);
    const m = JSON.parse(await readFile(join(dir, MANIFEST_FILE), 'utf8')) as RawManifest;
    Object.assign(
      m.files.find((f) => f.path === TRUTH_FILE)!,
      { sha256: sha256(text), bytes: text.length },
    );
    m.seed = 4242;
    await writeFile(join(dir, MANIFEST_FILE), JSON.stringify(m));
    // the bundle is consistent with itself: only the pinned digest tells
    expect((await verifyBundle(dir)).ok).toBe(true);
    const c = await gradeCorpus(join(out, 'bundles'), answers);
    expect(c.tasks).toEqual([]);
    expect(c.errors).toEqual([
      expect.stringContaining(
        `b-1: not graded: manifest.json sha256 ${(await verifyBundle(dir)).rootSha256} differs from the root digest ${root} in ${join(out, 'corpus', 'index.json')}`,
      ),
    ]);
    // --no-verify is the author's way out
    expect((await gradeCorpus(join(out, 'bundles'), answers, { verify: false })).errors).toEqual([]);
  });

  it('refuses a bundle the index does not list, and notes one it lists but is missing', async () => {
    const { out, answers } = await corpus();
    await writeSampleBundle(join(out, 'bundles'), 'b-2');
    await rename(join(out, 'bundles', 'b-1'), join(work, 'moved-away'));
    const c = await gradeCorpus(join(out, 'bundles'), answers);
    expect(c.errors).toEqual([
      expect.stringMatching(/b-2: not graded: bundle b-2 is not in the corpus index/),
    ]);
    expect(c.warnings).toContainEqual(expect.stringMatching(/^b-1: listed in .*index\.json but not found/));
  });

  it('does not wait on an answer that is a FIFO: the rest of the corpus is graded', async () => {
    const { out, answers } = await corpus();
    await rm(join(answers, 'b-1.json'));
    execFileSync('mkfifo', [join(answers, 'b-1.json')]);
    const c = await gradeCorpus(join(out, 'bundles'), answers);
    expect(c.tasks[0].runs[0].score.apFullRecall).toBe(0);
    expect(c.warnings).toContainEqual(
      expect.stringMatching(/b-1\.json is a FIFO, not a regular file; not read, scored 0/),
    );
  });

  it('checks a packed corpus and its index too', async () => {
    const { out, dir, answers } = await corpus();
    await packBundle(dir, join(out, 'packed', 'b-1.tar.gz'));
    const c = await gradeCorpus(join(out, 'packed'), answers);
    expect(c.errors).toEqual([]);
    expect(c.tasks[0].runs[0].bundleId).toBe('b-1');
  });
});

describe('grade reads answers the agents wrote without trusting them', () => {
  it('refuses an answer that is a symbolic link, quoting nothing of its target', async () => {
    const secret = join(work, 'shadow');
    await writeFile(secret, 'root:$6$SECRETHASH:19000:0:99999:7:::\n');
    const answer = join(work, 'answer.json');
    await symlink(secret, answer);
    const a = await readAnswerFile(answer);
    expect(a.entries).toEqual([]);
    expect(a.warnings).toEqual([
      `answer ${answer} is a symbolic link, not a regular file; not read, scored 0`,
    ]);
    expect(a.warnings.join('')).not.toContain('SECRET');
  });

  it('refuses an answer folder that is a link, in corpus mode', async () => {
    const answers = join(work, 'answers');
    await mkdir(join(work, 'elsewhere'));
    await writeFile(join(work, 'elsewhere', '0.json'), '{"entities": []}');
    await mkdir(answers);
    await symlink(join(work, 'elsewhere'), join(answers, 'b-1'));
    const a = await readAnswerFile(join(answers, 'b-1', '0.json'), { root: answers });
    expect(a.warnings[0]).toMatch(/its folder .*answers\/b-1 is a symbolic link; not read, scored 0$/);
  });

  it('quotes at most a short escaped excerpt of an answer that is not JSON', async () => {
    const answer = join(work, 'answer.json');
    await writeFile(answer, `\u001b[2J\u0007root:${'x'.repeat(5000)}`);
    const a = await readAnswerFile(answer);
    expect(a.warnings[0]).toMatch(/is not valid JSON \(.*\); scored 0$/);
    // eslint-disable-next-line no-control-regex
    expect(a.warnings[0]).not.toMatch(/[\u0000-\u001f]/);
    expect(a.warnings[0].length).toBeLessThan(answer.length + 200);
  });

  it('does not wait on a FIFO', async () => {
    const fifo = join(work, 'answer.json');
    execFileSync('mkfifo', [fifo]);
    expect((await readAnswerFile(fifo)).warnings).toEqual([
      `answer ${fifo} is a FIFO, not a regular file; not read, scored 0`,
    ]);
  });

  it('accepts a UTF-8 byte order mark', async () => {
    const answer = join(work, 'answer.json');
    await writeFile(answer, `\ufeff${JSON.stringify({ entities: ['shop/Deployment/payment'] })}`);
    const score = scoreAnswer(sampleGroundTruth(), await readAnswerFile(answer));
    expect(score.apFullRecall).toBe(1);
    expect(score.warnings).toEqual([]);
  });

  it('refuses an answer larger than the limit without reading it', async () => {
    const answer = join(work, 'answer.json');
    await writeFile(answer, Buffer.alloc(MAX_ANSWER_BYTES + 1, 0x20));
    expect((await readAnswerFile(answer)).warnings[0]).toMatch(
      /is larger than 8388608 bytes; not read, scored 0/,
    );
  });

  it('grades the first MAX_PREDICTIONS entries and lists at most MAX_ANSWER_WARNINGS warnings', async () => {
    const answer = join(work, 'answer.json');
    const junk = Array.from({ length: 50_000 }, (_, i) => `not an id ${i}`);
    await writeFile(answer, JSON.stringify({ entities: [...junk, 'shop/Deployment/payment'] }));
    const parsed = await readAnswerFile(answer);
    expect(parsed.entries).toHaveLength(MAX_PREDICTIONS);
    const score = scoreAnswer(sampleGroundTruth(), parsed);
    expect(score.apFullRecall).toBe(0);
    expect(score.warnings).toHaveLength(MAX_ANSWER_WARNINGS + 1);
    expect(score.warnings[0]).toMatch(
      /answer ranks 50001 entities; only the first 1000 are graded, 49001 ignored$/,
    );
    expect(score.warnings[MAX_ANSWER_WARNINGS]).toMatch(/^\d+ more warnings not shown$/);
  });
});
