import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fakeRun } from '../../corpus/testing/fake-run.js';
import { FakeSubstrate } from '../../platform/testing/fake-substrate.js';
import { quietRunLog } from '../../corpus/testing/quiet-run-log.js';
import { planCorpus } from '../../corpus/plan.js';
import { ExitCode } from '../../errors/exit-codes.js';
import { loadRunnable } from '../../runner/load-runnable.js';
import { corpusMergeCommand, corpusRunCommand, type CorpusRunCliOptions } from './corpus.js';

const TEST_SECRET = 'ab'.repeat(32);
// The CLI reads the corpus secret from the environment before the corpus directory.
process.env.FIREDRILL_CORPUS_SECRET = TEST_SECRET;

const SCENARIOS = join(process.cwd(), 'tests', 'fixtures', 'corpus', 'scenarios');

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'fd-corpus-cli-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t) } };
}

const opts = (o: Partial<CorpusRunCliOptions>): CorpusRunCliOptions => ({
  out: join(root, 'out'),
  substrate: 'local',
  repeats: '1',
  stabilityThreshold: '0.8',
  ...o,
});

describe('firedrill corpus run', () => {
  it('--plan prints one JSON line per run and needs no substrate', async () => {
    const { out, io: cio } = io();
    const substrate = new FakeSubstrate();
    const code = await corpusRunCommand(
      [SCENARIOS],
      opts({ plan: true, repeats: '2', shard: '1/2', only: ['cart-slow', 'payment-slow'] }),
      cio,
      {
        createSubstrate: async () => substrate,
        runOne: fakeRun(),
        signal: new AbortController().signal,
        openRunLog: quietRunLog,
      },
    );
    expect(code).toBe(ExitCode.Ok);
    expect(substrate.calls).toEqual([]);
    const lines = out
      .join('')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const expected = planCorpus(await loadRunnable([SCENARIOS], 'local'), {
      secret: TEST_SECRET,
      repeats: 2,
      only: ['cart-slow', 'payment-slow'],
      shard: { index: 1, count: 2 },
    });
    expect(lines).toEqual(
      expected.map((r) => ({
        scenarioId: r.scenarioId,
        repeat: r.repeat,
        seed: r.seed,
        bundleId: r.bundleId,
        shard: 1,
        shards: 2,
      })),
    );
  });

  it('exits 1 with --strict when a check fails, 0 without, naming the invalid task', async () => {
    const deps = () => ({
      createSubstrate: async () => new FakeSubstrate(),
      // repeat 1 fires a different alert: the scenario is not stable
      runOne: fakeRun({
        alertsFor: (_id: string, repeat: number) => (repeat === 1 ? ['Other'] : ['ShopHighLatencyP95']),
      }),
      signal: new AbortController().signal,
      openRunLog: quietRunLog,
    });
    const lax = io();
    expect(
      await corpusRunCommand([SCENARIOS], opts({ repeats: '2', only: ['cart-slow'] }), lax.io, deps()),
    ).toBe(ExitCode.Ok);
    expect(lax.out.join('')).toBe(
      `${join(root, 'out', 'corpus', 'index.json')}\n${join(root, 'out', 'corpus', 'report.md')}\n`,
    );
    expect(lax.err.join('')).toMatch(/2 task\(s\), 0 valid \(0 %\)/);
    expect(lax.err.join('')).toMatch(
      /invalid: incident-[0-9a-f]{12} \(cart-slow, repeat 0\): stable: firing alerts differ/,
    );
    const strict = io();
    expect(
      await corpusRunCommand(
        [SCENARIOS],
        opts({ repeats: '2', only: ['cart-slow'], strict: true, force: true }),
        strict.io,
        deps(),
      ),
    ).toBe(ExitCode.Failure);
    // the redone runs succeeded: exit 1 comes from the failed check alone
    expect(strict.err.join('')).not.toMatch(/run\(s\) failed/);
    expect(strict.err.join('')).toMatch(/stable: firing alerts differ/);
  });

  it('refuses bad options before anything starts', async () => {
    const d = { signal: new AbortController().signal };
    await expect(corpusRunCommand([SCENARIOS], opts({ shard: '3/2' }), io().io, d)).rejects.toMatchObject({
      exitCode: 2,
    });
    await expect(corpusRunCommand([SCENARIOS], opts({ repeats: '0' }), io().io, d)).rejects.toMatchObject({
      exitCode: 2,
    });
    await expect(
      corpusRunCommand([SCENARIOS], opts({ stabilityThreshold: '1.5' }), io().io, d),
    ).rejects.toMatchObject({ exitCode: 2 });
    await expect(
      corpusRunCommand([SCENARIOS], opts({ resume: true, force: true }), io().io, d),
    ).rejects.toMatchObject({ exitCode: 2 });
    await expect(
      corpusRunCommand([SCENARIOS], opts({ only: ['ghost'], plan: true }), io().io, d),
    ).rejects.toThrow(/unknown scenario id ghost/);
  });
});

describe('firedrill corpus merge', () => {
  it('merges shard outputs and prints the index and report paths', async () => {
    for (const shard of ['1/2', '2/2'])
      await corpusRunCommand(
        [SCENARIOS],
        opts({ out: join(root, `s${shard[0]}`), shard, only: ['payment-slow'], repeats: '2' }),
        io().io,
        {
          createSubstrate: async () => new FakeSubstrate(),
          runOne: fakeRun(),
          signal: new AbortController().signal,
        },
      );
    const m = io();
    const code = await corpusMergeCommand(
      [join(root, 's1'), join(root, 's2')],
      { out: join(root, 'm'), stabilityThreshold: '0.8', strict: true },
      m.io,
    );
    expect(code).toBe(ExitCode.Ok);
    expect(m.out.join('')).toBe(
      `${join(root, 'm', 'corpus', 'index.json')}\n${join(root, 'm', 'corpus', 'report.md')}\n`,
    );
    expect(m.err.join('')).toMatch(/2 bundle\(s\) added, 0 identical duplicate\(s\)/);
    expect(m.err.join('')).toMatch(/2 task\(s\), 2 valid \(100 %\)/);
  });
});
