import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSampleBundle } from '../../bundle/testing/sample-bundle.js';
import { runInProcess } from '../testing/run-cli.js';
import { parseEnvOptions } from './eval.js';

let dir: string;
let corpus: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'eval-cli-'));
  corpus = join(dir, 'corpus');
  await writeSampleBundle(join(corpus, 'bundles'), 'incident-000000000001');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const KEY = 'sk-live-abcdef0123456789';
const AGENT = `echo "key=$MY_KEY"; printf '{"entities": ["shop/Deployment/payment", "%s"]}' "$MY_KEY" > {answer}`;

describe('firedrill eval (CLI)', () => {
  it('runs, prints the summary as JSON, and never keeps a secret handed in with --env', async () => {
    const out = join(dir, 'run');
    const r = await runInProcess([
      'eval',
      '--corpus',
      corpus,
      '--agent',
      AGENT,
      '--repeats',
      '2',
      '--out',
      out,
      '--env',
      `MY_KEY=${KEY}`,
      '-o',
      'json',
    ]);
    expect([r.code, r.stderr]).toEqual([
      0,
      expect.stringMatching(/2\/2 payment-latency incident-000000000001 #2: scored AP 1\.000/),
    ]);
    const doc = JSON.parse(r.stdout) as {
      complete: boolean;
      summary: { overall: { apFullRecall: { mean: number } } };
    };
    expect(doc.complete).toBe(true);
    expect(doc.summary.overall.apFullRecall.mean).toBe(1);
    const results = await readFile(join(out, 'results.json'), 'utf8');
    expect(results).toContain('key=[MY_KEY redacted]');
    expect(results).not.toContain(KEY);
    expect(await readFile(join(out, 'answers', 'incident-000000000001', '0.json'), 'utf8')).not.toContain(
      KEY,
    );
    const config = JSON.parse(await readFile(join(out, 'eval.json'), 'utf8')) as { env: string[] };
    expect(config.env).toEqual(['MY_KEY']);

    const cmp = await runInProcess(['eval', 'compare', out, join(out, 'results.json')]);
    expect(cmp.code).toBe(0);
    expect(cmp.stdout).toMatch(/^apFullRecall\s+1\.000\s+1\.000\s+\+0\.000/m);
  }, 60_000);

  it('refuses bad usage before running anything', async () => {
    for (const args of [
      ['--agent', 'true'],
      ['--corpus', corpus],
      ['--corpus', corpus, '--agent', 'true', '--omit', 'screenshots'],
      ['--corpus', corpus, '--agent', 'true', '--timeout', '10'],
      ['--corpus', corpus, '--agent', 'true', '--repeats', '0'],
      ['--corpus', corpus, '--agent', 'true', '--env', 'FIREDRILL_ANSWER=/x'],
      ['--corpus', join(dir, 'nothing-here'), '--agent', 'true'],
    ]) {
      const r = await runInProcess(['eval', ...args, '--out', join(dir, 'unused')]);
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
    }
  });

  it('documents the agent contract in --help', async () => {
    const r = await runInProcess(['eval', '--help']);
    expect(r.stdout).toMatch(/FIREDRILL_SNAPSHOT/);
    expect(r.stdout).toMatch(/FIREDRILL_ANSWER/);
    expect(r.stdout).toMatch(/\{snapshot\}/);
    expect(r.stdout).toMatch(/SIGKILL/);
  });
});

describe('--env', () => {
  it('takes a value from firedrill’s environment or from the option', () => {
    expect(parseEnvOptions(['A', 'B=x=y'], { A: 'from-env' })).toEqual({ A: 'from-env', B: 'x=y' });
    expect(() => parseEnvOptions(['A'], {})).toThrow(/not set/);
    expect(() => parseEnvOptions(['HOME=/root'], {})).toThrow(/set by the harness/);
    expect(() => parseEnvOptions(['1X=2'], {})).toThrow(/NAME or NAME=VALUE/);
  });
});
