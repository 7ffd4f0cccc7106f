import { createServer, type Server } from 'node:net';
import { readFileSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyBundle } from '../bundle/verify.js';
import { evalCommand, type EvalCliOptions } from '../cli/commands/eval.js';
import { ExitCode } from '../errors/exit-codes.js';
import { listPids, readProcStat } from '../process/proc-info.js';
import { REPO_ROOT } from '../version.js';
import { presetCommand } from './agent-presets.js';
import { compareResults, loadResults } from './compare.js';
import { shellQuote } from './contract.js';
import { isolationSupport } from './isolation.js';
import { mergeEvals } from './merge.js';
import type { AttemptRecord } from './records.js';
import { runEval, type EvalOptions, type EvalRunResult } from './run-eval.js';
import { writeSmallCorpus, type SmallCorpusBundle } from './testing/small-corpus.js';

const MISBEHAVE = join(REPO_ROOT, 'src', 'eval', 'testing', 'agents', 'misbehave.mjs');
const agent = (mode: string): string => `${shellQuote(process.execPath)} ${shellQuote(MISBEHAVE)} ${mode}`;

let root: string;
let corpus: string;
let bundles: SmallCorpusBundle[];
/** Where agents (possibly another account) leave pids and counts: world-writable. */
let probe: string;
let outs = 0;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'eval-test-'));
  // Open to every account, so that only --isolate keeps an agent out of the corpus.
  await chmod(root, 0o755);
  corpus = join(root, 'corpus');
  bundles = await writeSmallCorpus(corpus);
  probe = await mkdtemp(join(tmpdir(), 'eval-probe-'));
  await chmod(probe, 0o777);
}, 60_000);
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
  await rm(probe, { recursive: true, force: true });
});

/**
 * Processes of this file's agents still running: the harness must leave none, whatever the agent did.
 * Every agent here gets PROBE_DIR (other test files may be running agents of their own meanwhile).
 */
function agentProcessesLeft(): number[] {
  const needle = Buffer.from(`PROBE_DIR=${probe}\0`);
  return listPids().filter((pid) => {
    const s = readProcStat(pid);
    if (!s || s.state === 'Z' || s.state === 'X') return false;
    try {
      return readFileSync(`/proc/${pid}/environ`).includes(needle);
    } catch {
      return false;
    }
  });
}

function alive(pidFile: string): boolean {
  const pid = Number(readFileSync(join(probe, pidFile), 'utf8'));
  const s = readProcStat(pid);
  return s !== undefined && s.state !== 'Z' && s.state !== 'X';
}

afterEach(() => {
  expect(agentProcessesLeft()).toEqual([]);
});

function options(mode: string, extra: Partial<EvalOptions> = {}): EvalOptions {
  return {
    corpus,
    outDir: join(root, `out-${outs++}`),
    agent: agent(mode),
    repeats: 1,
    timeoutMs: 20_000,
    graceMs: 500,
    parallel: 1,
    omit: [],
    isolate: false,
    env: { PROBE_DIR: probe },
    only: ['shipping-errors'],
    ...extra,
  };
}

async function one(mode: string, extra: Partial<EvalOptions> = {}): Promise<AttemptRecord> {
  const r = await runEval(options(mode, extra));
  expect(r.results.attempts).toHaveLength(1);
  return r.results.attempts[0];
}

describe('firedrill eval: the reference agent', () => {
  let reference: EvalRunResult;

  it('scores every attempt over a small corpus, two at a time, and reports per task, difficulty and tag', async () => {
    reference = await runEval(
      options('', {
        agent: presetCommand('reference'),
        repeats: 2,
        parallel: 2,
        only: [],
        timeoutMs: 120_000,
      }),
    );
    const { results } = reference;
    expect(results.complete).toBe(true);
    expect(results.attempts.map((a) => a.outcome)).toEqual(['scored', 'scored', 'scored', 'scored']);
    expect(results.summary.overall.apFullRecall.mean).toBe(1);
    expect(results.summary.passK['2'].mean).toBe(1);
    expect(results.summary.tasks.map((t) => [t.scenarioId, t.difficulty, t.tags])).toEqual([
      ['payment-slow', 'medium', ['latency']],
      ['shipping-errors', 'easy', ['errors', 'shipping']],
    ]);
    const report = await readFile(reference.layout.reportFile, 'utf8');
    expect(report).toMatch(/^\| apFullRecall \(headline\) \| 1\.000 \[1\.000, 1\.000\] \|$/m);
    expect(report).toMatch(/^## By difficulty$/m);
    expect(report).toMatch(/^\| latency \| 1 \|/m);
    const onDisk = JSON.parse(await readFile(reference.layout.resultsFile, 'utf8')) as {
      attempts: unknown[];
    };
    expect(onDisk.attempts).toHaveLength(4);
  }, 180_000);

  it('compares with another eval task by task: the differences, their interval, the flips', async () => {
    const none = await runEval(options('nothing', { only: [], repeats: 2 }));
    const c = compareResults(
      await loadResults(reference.layout.root),
      await loadResults(none.layout.resultsFile),
    );
    expect(c.common).toBe(2);
    expect(c.diff.apFullRecall.mean).toBe(-1);
    expect(c.lost).toEqual(['payment-slow', 'shipping-errors']);
    expect(c.gained).toEqual([]);
  }, 60_000);
});

describe('firedrill eval: agents that misbehave', () => {
  it('times out an agent that sleeps past the limit and kills it', async () => {
    const a = await one('sleep', { timeoutMs: 1000, graceMs: 300 });
    expect(a.outcome).toBe('timed-out');
    expect(a.wallMs).toBeGreaterThanOrEqual(1000);
    expect(a.wallMs).toBeLessThan(4000);
    expect(a.metrics.apFullRecall).toBe(0);
  }, 30_000);

  it('kills a double-forked grandchild that ignores SIGTERM once the agent has exited', async () => {
    await rm(join(probe, 'orphan.pid'), { force: true });
    const a = await one('orphan');
    expect(a.outcome).toBe('scored');
    expect(a.leftovers).toBeGreaterThanOrEqual(1);
    expect(a.warnings.join('\n')).toMatch(/outlived it and were killed/);
    expect(alive('orphan.pid')).toBe(false);
  }, 30_000);

  it('kills the agent and its escaped grandchild at the limit, SIGTERM ignored by both', async () => {
    await rm(join(probe, 'orphan-sleep.pid'), { force: true });
    const a = await one('orphan-sleep', { timeoutMs: 1500, graceMs: 300 });
    expect(a.outcome).toBe('timed-out');
    expect(alive('orphan-sleep.pid')).toBe(false);
  }, 30_000);

  it('tells a crash, no answer and malformed answers apart', async () => {
    const crash = await one('crash');
    expect([crash.outcome, crash.exitCode]).toEqual(['crashed', 3]);
    expect(crash.stderr.head).toContain('something went wrong');
    // it did write a right answer, but a run that failed is not graded
    expect(crash.metrics.apFullRecall).toBe(0);
    expect(crash.answer?.entities).toEqual(['shop/Deployment/shipping']);

    expect((await one('nothing')).outcome).toBe('no-answer');
    const garbage = await one('garbage');
    expect([garbage.outcome, garbage.detail]).toEqual([
      'malformed-answer',
      expect.stringMatching(/not valid JSON/),
    ]);
    const shape = await one('not-entities');
    expect([shape.outcome, shape.detail]).toEqual(['malformed-answer', expect.stringMatching(/"entities"/)]);
  }, 60_000);

  it('does not follow an answer that is a symbolic link (to the truth, say)', async () => {
    const truth = join(corpus, 'bundles', bundles[0].bundleId, 'truth', 'ground_truth.json');
    const a = await one('symlink', { env: { PROBE_DIR: probe, PROBE_TARGET: truth } });
    expect([a.outcome, a.detail]).toEqual(['malformed-answer', expect.stringMatching(/symbolic link/)]);
  }, 30_000);

  it('gives an agent looking for ../truth nothing: no truth, no manifest, no path naming the bundle, corpus or scenario', async () => {
    const a = await one('snoop');
    expect(a.outcome).toBe('scored');
    expect(a.metrics.apFullRecall).toBe(0);
    const seen = JSON.parse(a.stdout.head) as {
      tried: Record<string, string>;
      env: Record<string, string>;
      cwd: string;
      argv: string[];
      found: string[];
    };
    expect(seen.found).toEqual([]);
    for (const result of Object.values(seen.tried)) expect(result).toMatch(/^refused: ENOENT/);
    const visible = JSON.stringify({ env: seen.env, cwd: seen.cwd, argv: seen.argv });
    for (const secret of [corpus, root, bundles[0].bundleId, 'shipping-errors', 'payment-slow'])
      expect(visible).not.toContain(secret);
    expect(Object.keys(seen.env).sort()).toEqual(
      expect.arrayContaining([
        'FIREDRILL_ANSWER',
        'FIREDRILL_SNAPSHOT',
        'FIREDRILL_TIMEOUT_MS',
        'HOME',
        'PATH',
        'TMPDIR',
      ]),
    );
  }, 30_000);

  it('keeps the snapshot read-only: every write refused, the copy and the bundle unchanged', async () => {
    const a = await one('write-snapshot');
    expect(a.outcome).toBe('scored');
    const r = JSON.parse(a.stdout.head) as Record<string, string | number>;
    for (const op of ['overwrite', 'append', 'unlink', 'create', 'rename'])
      expect([op, r[op]]).toEqual([op, expect.stringMatching(/^refused/)]);
    expect(a.snapshotChanged).toEqual([]);
    expect((await verifyBundle(join(corpus, 'bundles', bundles[0].bundleId))).ok).toBe(true);
  }, 30_000);
});

describe('firedrill eval: the run', () => {
  it('--omit drops whole modalities: the files are absent and task.md lists only what is there', async () => {
    const a = await one('list', { omit: ['logs', 'traces'] });
    const seen = JSON.parse(a.stdout.head) as { files: string[]; task: string };
    expect(seen.files).toEqual([
      'alerts.json',
      'events.ndjson',
      'metrics.ndjson',
      'objects.ndjson',
      'task.md',
      'topology.json',
    ]);
    expect(seen.task).not.toMatch(/logs\.ndjson|traces\.ndjson/);
    expect(seen.task).toMatch(/^- `alerts\.json`: /m);
    expect(seen.task).toMatch(/^- `topology\.json`: /m);
  }, 30_000);

  it('resumes: finished attempts are kept, only the rest run; an eval in --out needs --resume or --force', async () => {
    const outDir = join(root, 'resumed');
    const count = join(probe, 'count');
    await rm(count, { force: true });
    await runEval(options('count', { outDir }));
    await expect(runEval(options('count', { outDir }))).rejects.toThrow(/--resume .*--force/);
    const r = await runEval(options('count', { outDir, repeats: 3, resume: true }));
    expect(r.results.attempts.map((a) => a.attempt)).toEqual([0, 1, 2]);
    expect((await readFile(count, 'utf8')).trim().split('\n')).toHaveLength(3);
    await expect(runEval(options('sleep', { outDir, repeats: 3, resume: true }))).rejects.toThrow(
      /run differently[\s\S]*agent:/,
    );
    const forced = await runEval(options('nothing', { outDir, force: true }));
    expect(forced.results.attempts.map((a) => a.outcome)).toEqual(['no-answer']);
  }, 60_000);

  it('on Ctrl-C stops the agents, keeps what finished, marks the results and exits 130', async () => {
    const outDir = join(root, 'interrupted');
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(), 1500);
    const out: string[] = [];
    const o: EvalCliOptions = {
      corpus,
      agent: agent('sleep'),
      repeats: '2',
      timeout: '1m',
      grace: '5s',
      parallel: '1',
      out: outDir,
      only: ['shipping-errors'],
      env: [`PROBE_DIR=${probe}`],
      output: 'text',
    };
    const started = Date.now();
    const code = await evalCommand(
      o,
      { stdout: (t) => out.push(t), stderr: () => undefined },
      { signal: ctl.signal },
    );
    expect(code).toBe(ExitCode.Interrupted);
    expect(Date.now() - started).toBeLessThan(10_000);
    const results = JSON.parse(await readFile(join(outDir, 'results.json'), 'utf8')) as {
      interrupted: boolean;
      complete: boolean;
      attempts: AttemptRecord[];
    };
    expect([results.interrupted, results.complete]).toEqual([true, false]);
    expect(results.attempts.map((a) => a.outcome)).toEqual(['interrupted']);
    expect(await readFile(join(outDir, 'report.md'), 'utf8')).toMatch(/\*\*Partial: interrupted; 0 of 2/);
    expect(out.join('')).toMatch(/partial: 0 of 2 attempts finished \(interrupted\)/);
  }, 30_000);

  it('shards the attempts and merges the shards back into one eval', async () => {
    const shard = (index: number): Promise<EvalRunResult> =>
      runEval(
        options('nothing', {
          only: [],
          repeats: 2,
          shard: { index, count: 2 },
          outDir: join(root, `shard-${index}`),
        }),
      );
    const [a, b] = [await shard(1), await shard(2)];
    expect([a.results.attempts.length, b.results.attempts.length]).toEqual([2, 2]);
    const keys = [...a.results.attempts, ...b.results.attempts].map((x) => x.key).sort();
    expect(new Set(keys).size).toBe(4);
    const merged = await mergeEvals([a.layout.root, b.layout.root], join(root, 'merged'));
    expect(merged.results.attempts.map((x) => x.key).sort()).toEqual(keys);
    expect(merged.results.complete).toBe(true);
    expect(merged.results.summary.outcomes['no-answer']).toBe(4);
  }, 60_000);
});

describe('firedrill eval --isolate', () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = createServer((s) => s.end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('refuses to run at all where namespaces are refused, exit 4, rather than run unisolated', async () => {
    const count = join(probe, 'count');
    await rm(count, { force: true });
    const refused = {
      available: false,
      mode: null,
      loopback: false,
      unshare: null,
      setpriv: null,
      ip: null,
      detail: 'not available: unshare: Operation not permitted',
    };
    await expect(runEval(options('count', { isolate: true, isolation: refused }))).rejects.toMatchObject({
      exitCode: ExitCode.MissingPrerequisite,
      message: expect.stringMatching(
        /^--isolate: not available: unshare: Operation not permitted\. Run without/,
      ),
    });
    expect(() => readFileSync(count)).toThrow(/ENOENT/);
  }, 30_000);

  it('runs the agent with only a loopback of its own, the corpus hidden, the snapshot mounted read-only', async () => {
    const support = await isolationSupport();
    if (!support.available) {
      // Namespaces are refused here (a container without the capability): what doctor reports.
      console.warn(`skipped: --isolate ${support.detail}`);
      await expect(runEval(options('isolation', { isolate: true, isolation: support }))).rejects.toThrow(
        /--isolate/,
      );
      return;
    }
    const a = await one('isolation', {
      isolate: true,
      env: { PROBE_DIR: probe, PROBE_PORT: String(port), PROBE_HIDDEN: corpus },
    });
    expect(a.outcome).toBe('scored');
    const r = JSON.parse(a.stdout.head) as {
      net: string;
      pids: number;
      hidden: string;
      write: string;
      interfaces: string[];
    };
    // the listener is on the host's loopback, not the namespace's
    expect(r.net).toBe('refused: ECONNREFUSED');
    expect(r.interfaces).toEqual(['lo']);
    // an empty tmpfs over the corpus, which every account can read outside
    expect(r.hidden).toBe('ok: ');
    expect(r.write).toMatch(/^refused: (EROFS|EACCES)/);
    expect(r.pids).toBeLessThan(10);
  }, 30_000);
});
