import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { testRegistry } from '../../faults/testing/test-fault.js';
import { REPO_ROOT } from '../../version.js';
import { runValidate } from './validate.js';

const DIR = join(REPO_ROOT, 'tests', 'fixtures', 'scenario');
const LINE = /^.+:\d+:\d+: \S+: .+$/;

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: { stdout: (l: string) => out.push(l), stderr: (l: string) => err.push(l), registry: testRegistry() },
  };
}

describe('firedrill validate', () => {
  it('exits 0 and counts the files when all are valid', async () => {
    const c = capture();
    const code = await runValidate([join(DIR, 'valid.yaml'), join(DIR, 'minimal.yaml')], c.io);
    expect(code).toBe(0);
    expect(c.out).toEqual(['2 file(s) valid']);
    expect(c.err).toEqual([]);
  });

  it('exits 2 with one file:line:col line per problem on stderr and nothing on stdout', async () => {
    const c = capture();
    const code = await runValidate([join(DIR, 'valid.yaml'), join(DIR, 'bad-params.yaml')], c.io);
    expect(code).toBe(2);
    expect(c.out).toEqual([]);
    expect(c.err).toHaveLength(3);
    for (const l of c.err) expect(l).toMatch(LINE);
    expect(c.err[0]).toBe(
      `${join(DIR, 'bad-params.yaml')}:13:18: spec.faults.0.params.delayMs: expected number, received string`,
    );
  });

  it('exits 2 for a path that does not exist', async () => {
    const c = capture();
    expect(await runValidate([join(DIR, 'no-such.yaml')], c.io)).toBe(2);
    expect(c.err).toEqual([
      `${join(DIR, 'no-such.yaml')}:1:1: (root): cannot read: no such file or directory`,
    ]);
  });

  it('runs as a process: exit code 2 and the problem line format', async () => {
    const run = promisify(execFile);
    const result = await run(
      process.execPath,
      [join(REPO_ROOT, 'bin', 'firedrill.js'), 'validate', 'tests/fixtures/scenario/syntax-error.yaml'],
      { cwd: REPO_ROOT, env: { ...process.env, FIREDRILL_FROM_SOURCE: '1' } },
    ).then(
      () => ({ code: 0, stderr: '', stdout: '' }),
      (e: { code: number; stderr: string; stdout: string }) => e,
    );
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      'tests/fixtures/scenario/syntax-error.yaml:9:3: (root): YAML: Flow sequence in block collection must be sufficiently indented and end with a ]\n',
    );
  }, 30_000);
});
