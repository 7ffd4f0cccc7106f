import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyBundle } from '../bundle/verify.js';
import { defaultCatalog } from '../faults/catalog.js';
import { loadRunnable } from '../runner/load-runnable.js';
import type { Scenario } from '../scenario/scenario.js';
import { CorpusLayout } from './corpus-layout.js';
import { fileSha256 } from './file-sha256.js';
import { mergeCorpora } from './merge-corpora.js';
import { planCorpus } from './plan.js';
import { readCorpusIndex } from './read-index.js';
import { runCorpus, type CorpusRunOptions } from './run-corpus.js';
import { fakeRun } from './testing/fake-run.js';
import { FakeSubstrate } from '../platform/testing/fake-substrate.js';
import { quietRunLog } from './testing/quiet-run-log.js';
import { CorpusError } from '../errors/corpus-error.js';
import { systemClock, type Clock } from '../util/clock.js';

const TEST_SECRET = 'ab'.repeat(32);

const SCENARIOS = join(process.cwd(), 'tests', 'fixtures', 'corpus', 'scenarios');

let scenarios: Scenario[];
let root: string;
beforeAll(async () => {
  scenarios = await loadRunnable([SCENARIOS], 'local');
});
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'fd-corpus-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

function options(
  outDir: string,
  extra: Partial<CorpusRunOptions> = {},
): CorpusRunOptions & { substrate: FakeSubstrate; lines: string[]; created: { n: number } } {
  const substrate = new FakeSubstrate();
  const lines: string[] = [];
  const created = { n: 0 };
  return {
    scenarios,
    outDir,
    repeats: 2,
    substrateName: 'local',
    createSubstrate: async () => {
      created.n++;
      return substrate;
    },
    runOne: fakeRun(),
    registry: defaultCatalog(),
    secret: TEST_SECRET,
    signal: new AbortController().signal,
    write: (l) => lines.push(l),
    openRunLog: quietRunLog,
    ...extra,
    substrate,
    lines,
    created,
  };
}

const scenarioRepeat = (rows: Array<{ scenarioId: string; repeat: number; bundleId: string }>): string[] =>
  rows.map((r) => `${r.scenarioId}#${r.repeat}#${r.bundleId}`).sort();

describe('runCorpus', () => {
  it('brings one substrate up once, resets it per run, and indexes every bundle', async () => {
    const o = options(join(root, 'out'));
    const result = await runCorpus(o);
    expect(o.created.n).toBe(1);
    expect(o.substrate.count('up')).toBe(1);
    expect(o.substrate.count('reset')).toBe(6);
    expect(o.substrate.count('down')).toBe(1);
    expect(o.substrate.calls[0]).toBe('up');
    expect(o.substrate.calls.at(-1)).toBe('down');
    expect(result).toMatchObject({ ran: 6, skipped: 0, failed: 0 });

    const layout = new CorpusLayout(join(root, 'out'));
    const index = await readCorpusIndex(layout.indexFile);
    expect(index).not.toBeNull();
    expect(index?.rows.map((r) => `${r.scenarioId}#${r.repeat}`)).toEqual([
      'cart-slow#0',
      'cart-slow#1',
      'catalog-errors#0',
      'catalog-errors#1',
      'payment-slow#0',
      'payment-slow#1',
    ]);
    for (const row of index?.rows ?? []) {
      expect(row).toMatchObject({ status: 'complete', valid: true, failedChecks: [], substrate: 'local' });
      expect(Object.keys(row.checks).sort()).toEqual(['leakFree', 'manifested', 'observable', 'stable']);
      expect(row.checks.stable.detail).toMatch(/2 repeats: min pairwise Jaccard 1\.00/);
      expect(row.timeToManifestMs).toBe(90_000);
      expect(row.timings).toEqual({
        phases: { reset: 10, warmup: 300, inject: 5, wait: 200, capture: 40, commit: 5, recover: 20 },
        wallMs: 580,
        overheadMs: 80,
        waitingMs: 500,
      });
      expect(row.firedAlerts).toEqual(['ShopHighLatencyP95']);
      // the packed archive is there and the index carries its digest and size
      const packed = join(layout.root, row.packed?.path ?? '');
      expect(await fileSha256(packed)).toBe(row.packed?.sha256);
      expect(row.packed?.bytes).toBeGreaterThan(0);
      expect(row.bundle?.bytes).toBeGreaterThan(row.packed?.bytes ?? 0);
      // the corpus checks are in the manifest too, and the bundle still verifies
      const dir = layout.bundleDir(row.bundleId);
      const v = await verifyBundle(dir);
      expect(v.problems).toEqual([]);
      expect(v.manifest?.checks.observable.ok).toBe(true);
      expect(v.manifest?.checks.stable.ok).toBe(true);
      // each bundle has its HTML report, with the truth shown (for the author)
      expect(row.report).toBe(`reports/${row.bundleId}.html`);
      expect(await readFile(join(layout.root, row.report ?? ''), 'utf8')).toMatch(/id="truth"/);
      // the run log ends with the outcome
      const log = await readFile(layout.logFile(row.bundleId), 'utf8');
      expect(log).toMatch(/"msg":"run finished"/);
    }

    const report = await readFile(layout.reportFile, 'utf8');
    expect(report).toMatch(/\| tasks \(bundles\) \| 6 \|/);
    expect(report).toMatch(/\| valid \| 6 of 6 \(100 %\) \|/);
    expect(report).toMatch(/\| median time to manifest \| 1m30s \|/);
    expect(report).toMatch(/waiting for the incident.*\(86 %\)/);
    expect(report).toMatch(/### payment-slow/);
    expect(report).toMatch(
      /\| 0 \| \[`incident-[0-9a-f]{12}`\]\(\.\.\/reports\/incident-[0-9a-f]{12}\.html\) \|/,
    );
    expect(report).toMatch(/None: every task passed every check/);
    expect(
      o.lines.some((l) => /scenario 1\/3 cart-slow, repeat 1\/2 \(run 1\/6, time left unknown\)/.test(l)),
    ).toBe(true);
    expect(o.lines.some((l) => /run 2\/6, ~\d+m\d\ds left\)/.test(l))).toBe(true);
  });

  it('runs only the --only scenarios and the given shard', async () => {
    const o = options(join(root, 'out'), {
      only: ['payment-slow', 'cart-slow'],
      shard: { index: 2, count: 2 },
    });
    const r = await runCorpus(o);
    const expected = planCorpus(scenarios, {
      secret: TEST_SECRET,
      repeats: 2,
      only: ['payment-slow', 'cart-slow'],
      shard: { index: 2, count: 2 },
    });
    expect(r.index.rows.map((x) => x.bundleId).sort()).toEqual(expected.map((x) => x.bundleId).sort());
    expect(r.index.rows.every((x) => x.scenarioId !== 'catalog-errors' && x.shard === '2/2')).toBe(true);
  });

  it('resumes: keeps complete bundles, redoes half-written and damaged ones', async () => {
    const out = join(root, 'out');
    const layout = new CorpusLayout(out);
    await runCorpus(options(out, { only: ['payment-slow'] }));
    const [r0, r1] = planCorpus(scenarios, { secret: TEST_SECRET, repeats: 2, only: ['payment-slow'] });
    // r0 stays complete; r1's bundle is damaged; a crashed write of r1 left a staging directory
    await writeFile(join(layout.bundleDir(r1.bundleId), 'snapshot', 'logs.ndjson'), 'garbage\n');

    const again = options(out, { only: ['payment-slow'] });
    await expect(runCorpus(again)).rejects.toThrow(/already exist.*--resume/);
    expect((again.runOne as ReturnType<typeof fakeRun>).requests).toEqual([]);
    await mkdir(join(layout.bundlesDir, `.${r1.bundleId}.tmp-abc123`, 'snapshot'), { recursive: true });

    const o = options(out, { only: ['payment-slow'], resume: true });
    const result = await runCorpus(o);
    expect(result).toMatchObject({ ran: 1, skipped: 1 });
    expect((o.runOne as ReturnType<typeof fakeRun>).requests.map((q) => q.bundleId)).toEqual([r1.bundleId]);
    expect(result.removed.map((x) => x.reason).sort()).toEqual([
      expect.stringMatching(/does not verify/),
      expect.stringMatching(/half-written/),
    ]);
    expect((await readdir(layout.bundlesDir)).filter((n) => n.startsWith('.'))).toEqual([]);
    expect((await verifyBundle(layout.bundleDir(r1.bundleId))).ok).toBe(true);
    // the kept bundle's timings come back from the previous index
    expect(result.index.rows.find((x) => x.bundleId === r0.bundleId)?.timings?.wallMs).toBe(580);

    // nothing left to do: the substrate is not even created
    const idle = options(out, { only: ['payment-slow'], resume: true });
    expect((await runCorpus(idle)).ran).toBe(0);
    expect(idle.created.n).toBe(0);
  });

  it('hands the substrate the scenarios of the runs left, after --only, --shard and --resume', async () => {
    // A Kubernetes substrate installs Chaos Mesh for these only: not for the directory's other scenarios.
    const out = join(root, 'out');
    const given: string[][] = [];
    const withGiven = (extra: Partial<CorpusRunOptions>) => {
      const o = options(out, extra);
      const create = o.createSubstrate;
      o.createSubstrate = (s) => {
        given.push(s.map((x) => x.metadata.id).sort());
        return create(s);
      };
      return o;
    };
    await runCorpus(withGiven({ only: ['payment-slow', 'cart-slow'], repeats: 1 }));
    await runCorpus(withGiven({ resume: true, repeats: 1 }));
    const shards = planCorpus(scenarios, { secret: TEST_SECRET, repeats: 2, shard: { index: 1, count: 3 } });
    await runCorpus(withGiven({ resume: true, shard: { index: 1, count: 3 } }));
    expect(given).toEqual([
      ['cart-slow', 'payment-slow'],
      ['catalog-errors'],
      [...new Set(shards.filter((p) => p.repeat === 1).map((p) => p.scenarioId))].sort(),
    ]);
  });

  it('records a failed run, goes on, and marks checks that fail', async () => {
    const plan = planCorpus(scenarios, { secret: TEST_SECRET, repeats: 2 });
    const failing = plan.find((p) => p.scenarioId === 'catalog-errors' && p.repeat === 1)?.bundleId ?? '';
    const o = options(join(root, 'out'), {
      runOne: fakeRun({
        failFor: new Set([failing]),
        // cart-slow's repeats disagree on their alerts: unstable
        alertsFor: (id, repeat) =>
          id === 'cart-slow' && repeat === 1 ? ['KubePodCrashLooping'] : ['ShopHighLatencyP95'],
      }),
    });
    const r = await runCorpus(o);
    expect(r.failed).toBe(1);
    expect(o.substrate.count('reset')).toBe(6);
    const failedRow = r.index.rows.find((x) => x.bundleId === failing);
    expect(failedRow).toMatchObject({ status: 'failed', valid: false, bundle: null, packed: null });
    expect(failedRow?.error).toMatch(/fake failure/);
    const cart = r.index.rows.filter((x) => x.scenarioId === 'cart-slow');
    expect(cart.every((x) => !x.valid && x.failedChecks.includes('stable'))).toBe(true);
    const report = await readFile(new CorpusLayout(join(root, 'out')).reportFile, 'utf8');
    expect(report).toMatch(/\| valid \| 3 of 6 \(50 %\) \|/);
    expect(report).toMatch(/run failed: .*fake failure/);
    expect(report).toMatch(/stable: firing alerts differ across repeats: Jaccard 0\.00/);
  });

  it('stops after the current run on an interrupt and still indexes what is complete', async () => {
    const ctl = new AbortController();
    let n = 0;
    const o = options(join(root, 'out'), {
      signal: ctl.signal,
      runOne: fakeRun({
        before: () => {
          if (++n === 3) ctl.abort(new Error('SIGINT'));
        },
      }),
    });
    await expect(runCorpus(o)).rejects.toMatchObject({ exitCode: 130 });
    expect(o.substrate.count('down')).toBe(1);
    const index = await readCorpusIndex(new CorpusLayout(join(root, 'out')).indexFile);
    expect(index?.rows.length).toBe(2);
  });
});

describe('mergeCorpora', () => {
  it('joins shards into the same set of bundles as an unsharded run', async () => {
    // both shards take exactly as long: their commands still count twice
    const sameTime = (): Clock => {
      let calls = 0;
      return { now: () => (calls++ === 0 ? 1_000 : 1_048), sleep: systemClock.sleep };
    };
    await runCorpus(options(join(root, 's1'), { shard: { index: 1, count: 2 }, clock: sameTime() }));
    await runCorpus(options(join(root, 's2'), { shard: { index: 2, count: 2 }, clock: sameTime() }));
    const whole = await runCorpus(options(join(root, 'whole')));
    const lines: string[] = [];
    const merged = await mergeCorpora({
      shardDirs: [join(root, 's1'), join(root, 's2')],
      outDir: join(root, 'merged'),
      write: (l) => lines.push(l),
    });
    expect(merged.added).toBe(6);
    expect(scenarioRepeat(merged.index.rows)).toEqual(scenarioRepeat(whole.index.rows));
    // with both repeats together, stability is judged again (each shard held one repeat per scenario)
    expect(merged.index.rows.every((r) => /2 repeats/.test(r.checks.stable.detail))).toBe(true);
    expect(merged.index.rows.every((r) => r.timings?.wallMs === 580)).toBe(true);
    expect(merged.index.commandWallMs).toHaveLength(2);
    expect(new Set(merged.index.commands?.map((c) => c.id)).size).toBe(2);
    // the same content packs to the same bytes as in the unsharded run
    const sha = (rows: typeof whole.index.rows): string[] =>
      rows.map((r) => `${r.bundleId}:${r.packed?.sha256}`).sort();
    expect(sha(merged.index.rows)).toEqual(sha(whole.index.rows));

    // merging again is idempotent: duplicates with identical content are kept once
    const again = await mergeCorpora({
      shardDirs: [join(root, 's1'), join(root, 's2')],
      outDir: join(root, 'merged'),
      write: () => undefined,
    });
    expect(again.added).toBe(0);
    expect(again.duplicates).toBe(6);
    expect(again.index.commandWallMs).toHaveLength(2);
  });

  it('refuses duplicates that differ and bundles that do not verify, merging nothing', async () => {
    await runCorpus(options(join(root, 's1'), { only: ['payment-slow'], repeats: 1 }));
    await runCorpus(
      options(join(root, 's2'), {
        only: ['payment-slow'],
        repeats: 1,
        runOne: fakeRun({ alertsFor: () => ['SomethingElse'] }),
      }),
    );
    const id = planCorpus(scenarios, { secret: TEST_SECRET, repeats: 1, only: ['payment-slow'] })[0].bundleId;
    const err = await mergeCorpora({
      shardDirs: [join(root, 's1'), join(root, 's2')],
      outDir: join(root, 'm'),
      write: () => undefined,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CorpusError);
    expect((err as Error).message).toMatch(new RegExp(`${id}: .* are different bundles under one id`));
    await expect(readdir(join(root, 'm', 'bundles'))).rejects.toThrow();

    await writeFile(join(root, 's2', 'bundles', id, 'snapshot', 'task.md'), 'changed\n');
    await expect(
      mergeCorpora({ shardDirs: [join(root, 's2')], outDir: join(root, 'm'), write: () => undefined }),
    ).rejects.toThrow(/task\.md: is \d+ bytes, manifest says/);
  });
});

describe('runCorpus, a run failing after its bundle was committed', () => {
  it('indexes the bundle with the error and counts the run as failed', async () => {
    const inner = fakeRun();
    const o = options(join(root, 'out'), {
      repeats: 1,
      only: ['payment-slow'],
      runOne: async (req) => {
        await inner(req);
        throw new Error('app not healthy after recovery');
      },
    });
    const r = await runCorpus(o);
    expect(r.failed).toBe(1);
    expect(r.index.rows).toHaveLength(1);
    expect(r.index.rows[0]).toMatchObject({
      status: 'complete',
      valid: true,
      error: 'after its bundle was committed: app not healthy after recovery',
    });
    expect(r.index.rows[0].packed?.sha256).toMatch(/^[0-9a-f]{64}$/);
    const report = await readFile(new CorpusLayout(join(root, 'out')).reportFile, 'utf8');
    expect(report).toMatch(/## Run errors[\s\S]*app not healthy after recovery/);
  });
});
