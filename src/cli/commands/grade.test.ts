import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { InvalidInputError } from '../../errors/index.js';
import { runGrade, type GradeIo } from './grade.js';

const ROOT = process.cwd();
const FIXTURES = join(ROOT, 'tests', 'fixtures', 'grade');
const TRUTH = join(FIXTURES, 'truth-two.json');
const ANSWER = join(FIXTURES, 'answer-two.json');

function capture(): GradeIo & { out: string; err: string } {
  const io = {
    out: '',
    err: '',
    stdout: (t: string) => {
      io.out += t;
    },
    stderr: (t: string) => {
      io.err += t;
    },
  };
  return io;
}

describe('firedrill grade (process)', () => {
  it('prints the score as JSON and exits 0', () => {
    const child = spawnSync(
      process.execPath,
      [join(ROOT, 'bin', 'firedrill.js'), 'grade', '--truth', TRUTH, '--answer', ANSWER, '--json'],
      { cwd: ROOT, env: { ...process.env, FIREDRILL_FROM_SOURCE: '1' }, encoding: 'utf8' },
    );
    // stderr rides along so a failure shows why the process exited
    expect({ status: child.status, stderr: child.stderr }).toEqual({ status: 0, stderr: '' });
    const stdout = child.stdout;
    // redis pod alias at 1 (1/1), frontend at 2, cart-config at 3 (2/3) → AP (1 + 2/3)/2 = 5/6; p 2/3; f1 4/5
    const json = JSON.parse(stdout) as Record<string, unknown>;
    expect(json.apFullRecall).toBeCloseTo(5 / 6, 12);
    expect(json.precision).toBeCloseTo(2 / 3, 12);
    expect(json.recall).toBe(1);
    expect(json.f1).toBeCloseTo(4 / 5, 12);
    expect(json.acAt).toEqual({ '1': 0, '2': 0, '3': 1, '4': 1, '5': 1 });
    expect(json.matched).toEqual(['shop/StatefulSet/redis', 'shop/ConfigMap/cart-config']);
    expect(json.unmatched).toEqual([]);
    expect(json.warnings).toEqual([]);
  }, 30_000);
});

describe('runGrade', () => {
  it('prints a table and matched ranks without --json', async () => {
    const io = capture();
    expect(await runGrade({ truth: TRUTH, answer: ANSWER }, io)).toBe(0);
    expect(io.out).toMatch(/^apFullRecall\s+0\.833$/m);
    expect(io.out).toMatch(/^AC@3\s+1$/m);
    expect(io.out).toMatch(/^matched\s+shop\/ConfigMap\/cart-config \(rank 3\)$/m);
    expect(io.err).toBe('');
  });

  it('scores a missing answer 0 with a warning on stderr', async () => {
    const io = capture();
    expect(await runGrade({ truth: TRUTH, answer: join(FIXTURES, 'absent.json'), json: true }, io)).toBe(0);
    const json = JSON.parse(io.out) as { apFullRecall: number; unmatched: string[]; warnings: string[] };
    expect(json.apFullRecall).toBe(0);
    expect(json.unmatched).toHaveLength(2);
    expect(json.warnings[0]).toMatch(/absent\.json not found/);
    expect(io.err).toMatch(/^firedrill: warning: .*absent\.json not found/);
  });

  it('grades a corpus and exits 0 when every bundle was readable', async () => {
    const io = capture();
    const code = await runGrade(
      {
        corpus: join(FIXTURES, 'corpus', 'bundles'),
        answers: join(FIXTURES, 'corpus', 'answers'),
        json: true,
      },
      io,
    );
    expect(code).toBe(0);
    const json = JSON.parse(io.out) as { apFullRecall: number; tasks: unknown[] };
    expect(json.apFullRecall).toBeCloseTo(37 / 72, 12);
    expect(json.tasks).toHaveLength(2);
    expect(io.err.split('\n').filter((l) => l.startsWith('firedrill: warning:'))).toHaveLength(3);
  });

  it.each([
    ['no flags', {}, /needs --truth/],
    ['--truth alone', { truth: TRUTH }, /needs --truth/],
    ['both modes', { truth: TRUTH, answer: ANSWER, corpus: FIXTURES }, /not both/],
    ['--corpus alone', { corpus: FIXTURES }, /--corpus and --answers go together/],
  ])('rejects %s as bad usage', async (_name, opts, why) => {
    const err = await runGrade(opts, capture()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidInputError);
    expect((err as Error).message).toMatch(why);
  });
});
