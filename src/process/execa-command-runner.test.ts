import { CommandNotRunError } from '../errors/command-not-run-error.js';
import { TimeoutError } from '../errors/timeout-error.js';
import { ExecaCommandRunner } from './execa-command-runner.js';

const runner = new ExecaCommandRunner();

describe('ExecaCommandRunner', () => {
  it('returns exit code and both outputs without throwing on failure', async () => {
    const r = await runner.run('sh', ['-c', 'echo out; echo err >&2; exit 3']);
    expect(r).toEqual({
      command: "sh -c 'echo out; echo err >&2; exit 3'",
      exitCode: 3,
      stdout: 'out',
      stderr: 'err',
    });
  });

  it('passes stdin, cwd and env (undefined removes a variable)', async () => {
    const r = await runner.run('sh', ['-c', 'cat; pwd; echo "${FD_X}-${HOME:-nohome}"'], {
      input: 'from stdin\n',
      cwd: '/tmp',
      env: { FD_X: 'x', HOME: undefined },
    });
    expect(r.stdout.split('\n')).toEqual(['from stdin', '/tmp', 'x-nohome']);
  });

  it('throws TimeoutError when the command overruns', async () => {
    await expect(runner.run('sleep', ['10'], { timeoutMs: 200 })).rejects.toBeInstanceOf(TimeoutError);
  });

  it('throws CommandNotRunError when the program does not exist', async () => {
    await expect(runner.run('/nonexistent/promtool', ['--version'])).rejects.toMatchObject({
      name: 'CommandNotRunError',
      code: 'ENOENT',
    });
    await expect(runner.run('/nonexistent/promtool', [])).rejects.toBeInstanceOf(CommandNotRunError);
  });

  it('stops when the signal is aborted, with its reason', async () => {
    const ac = new AbortController();
    const p = runner.run('sleep', ['10'], { signal: ac.signal });
    setTimeout(() => ac.abort(new Error('run interrupted')), 50);
    await expect(p).rejects.toThrow('run interrupted');
  });
});
