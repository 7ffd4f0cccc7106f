import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { fakeRun } from '../../corpus/testing/fake-run.js';
import { quietRunLog } from '../../corpus/testing/quiet-run-log.js';
import { ExitCode } from '../../errors/exit-codes.js';
import { FakeSubstrate } from '../../platform/testing/fake-substrate.js';
import { bundleIdFor, loadRunnable, runCommand, type RunCommandOptions, type RunSummary } from './run.js';

const SCENARIOS = join(process.cwd(), 'tests', 'fixtures', 'corpus', 'scenarios');
const SECRET = 'cd'.repeat(32);
// Bundle ids are keyed with the corpus secret; the environment gives it before the output directory does.
process.env.FIREDRILL_CORPUS_SECRET = SECRET;

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'fd-run-cli-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

function capture() {
  const c = {
    out: '',
    err: '',
    io: { stdout: (t: string) => (c.out += t), stderr: (t: string) => (c.err += t) },
  };
  return c;
}

const opts = (o: Partial<RunCommandOptions> = {}): RunCommandOptions => ({
  out: join(root, 'out'),
  substrate: 'local',
  repeats: '1',
  output: 'text',
  ...o,
});

const deps = (failFor?: ReadonlySet<string>) => ({
  createSubstrate: async () => new FakeSubstrate(),
  runOne: fakeRun({ failFor }),
  signal: new AbortController().signal,
  openRunLog: quietRunLog,
});

describe('firedrill run output', () => {
  it('prints one bundle path per line in text', async () => {
    const c = capture();
    expect(await runCommand([SCENARIOS], opts(), c.io, deps())).toBe(ExitCode.Ok);
    const ids = (await loadRunnable([SCENARIOS], 'local')).map((s) =>
      bundleIdFor(SECRET, s.metadata.id, s.spec.seed, 0),
    );
    expect(c.out).toBe(ids.map((id) => `${join(root, 'out', id)}\n`).join(''));
  });

  it('prints one summary document at the end with -o json, the same data with -o yaml', async () => {
    const json = capture();
    expect(await runCommand([SCENARIOS], opts({ output: 'json', repeats: '2' }), json.io, deps())).toBe(0);
    const doc = JSON.parse(json.out) as RunSummary;
    expect(doc).toMatchObject({
      substrate: 'local',
      outDir: join(root, 'out'),
      planned: 6,
      interrupted: false,
    });
    expect(doc.runs).toHaveLength(6);
    expect(doc.runs[0]).toEqual({
      scenario: 'cart-slow',
      file: join(SCENARIOS, '0-cart-slow.yaml'),
      repeat: 0,
      seed: expect.any(Number) as number,
      bundleId: expect.stringMatching(/^incident-/) as string,
      ok: true,
      bundleDir: join(root, 'out', doc.runs[0].bundleId),
      manifested: true,
      firedAlerts: ['ShopHighLatencyP95'],
      timings: { reset: 10, warmup: 300, inject: 5, wait: 200, capture: 40, commit: 5, recover: 20 },
      overheadMs: 80,
      leaks: 0,
      error: null,
    });

    const yaml = capture();
    await runCommand([SCENARIOS], opts({ output: 'yaml', repeats: '2', force: true }), yaml.io, deps());
    expect(parse(yaml.out)).toEqual(doc);
  });

  it('still prints the summary when a run fails, naming the failure', async () => {
    const [first] = await loadRunnable([SCENARIOS], 'local');
    const failing = bundleIdFor(SECRET, first.metadata.id, first.spec.seed, 0);
    const c = capture();
    await expect(
      runCommand([SCENARIOS], opts({ output: 'json' }), c.io, deps(new Set([failing]))),
    ).rejects.toThrow(`fake failure of ${failing}`);
    const doc = JSON.parse(c.out) as RunSummary;
    expect(doc.planned).toBe(3);
    // run stops at the first failure
    expect(doc.runs).toEqual([
      expect.objectContaining({
        bundleId: failing,
        ok: false,
        bundleDir: null,
        manifested: null,
        error: `fake failure of ${failing}`,
      }),
    ]);
  });
});
