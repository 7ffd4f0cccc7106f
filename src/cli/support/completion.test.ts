import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { InvalidInputError } from '../../errors/invalid-input-error.js';
import { SUBSTRATE_NAMES } from '../../substrates/registry.js';
import { runInProcess, testProgram } from '../testing/run-cli.js';
import { completionScript, parseShell, SHELLS } from './completion.js';
import { OUTPUT_FORMATS } from './output-format.js';

/** Every command under the root, with its path as typed (`firedrill corpus run`). */
function commands(cmd: Command, path = 'firedrill'): Array<{ cmd: Command; path: string }> {
  return cmd.commands.flatMap((c) => {
    const p = `${path} ${c.name()}`;
    return [{ cmd: c, path: p }, ...commands(c, p)];
  });
}

function has(shell: string): boolean {
  return spawnSync(shell, ['-c', 'true']).status === 0;
}

describe('firedrill completion', () => {
  let program: Command;
  let bash: string;
  let dir: string;
  beforeAll(async () => {
    program = await testProgram();
    bash = completionScript('bash', program, '0.0.0-test');
    dir = await mkdtemp(join(tmpdir(), 'firedrill-completion-'));
    await writeFile(join(dir, 'firedrill.bash'), bash);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** `opts='...'` and `cmds='...'` of one command in the bash script. */
  function wordsOf(path: string): { opts: string[]; cmds: string[] } {
    const line = bash.split('\n').find((l) => l.trimStart().startsWith(`'${path}')`));
    if (line === undefined) throw new Error(`no branch for '${path}' in the bash script`);
    const pick = (name: string): string[] =>
      (new RegExp(`${name}='([^']*)'`).exec(line)?.[1] ?? '').split(' ').filter(Boolean);
    return { opts: pick('opts'), cmds: pick('cmds') };
  }

  it('lists every command, subcommand and option in the bash script', () => {
    const all = commands(program);
    expect(all.map((c) => c.path)).toEqual(
      expect.arrayContaining([
        'firedrill run',
        'firedrill corpus merge',
        'firedrill bundle verify',
        'firedrill completion',
      ]),
    );
    expect(wordsOf('firedrill').cmds).toEqual(expect.arrayContaining(program.commands.map((c) => c.name())));
    expect(wordsOf('firedrill').opts).toEqual(expect.arrayContaining(['-V', '--version', '-h', '--help']));
    for (const { cmd, path } of all) {
      const { opts, cmds } = wordsOf(path);
      const flags = cmd.options.flatMap((o) => [o.short, o.long]).filter((f): f is string => !!f);
      expect({ path, opts }).toEqual({ path, opts: expect.arrayContaining([...flags, '--help']) });
      expect({ path, cmds }).toEqual({
        path,
        cmds: expect.arrayContaining(cmd.commands.map((c) => c.name())),
      });
    }
  });

  /** What bash offers for the words typed so far (the last one is being completed). */
  function complete(...words: string[]): string[] {
    const script = [
      `source ${JSON.stringify(join(dir, 'firedrill.bash'))}`,
      `COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')})`,
      'COMP_CWORD=$((${#COMP_WORDS[@]} - 1))',
      '_firedrill',
      'printf "%s\\n" "${COMPREPLY[@]}"',
    ].join('\n');
    return execFileSync('bash', ['-c', script], { encoding: 'utf8' }).split('\n').filter(Boolean);
  }

  it('completes in bash: commands, subcommands, option values from the registry, files elsewhere', () => {
    expect(complete('firedrill', 'st')).toEqual(['status']);
    expect(complete('firedrill', 'corpus', '')).toEqual(['run', 'merge', 'help']);
    expect(complete('firedrill', 'status', '-o', '')).toEqual([...OUTPUT_FORMATS]);
    expect(complete('firedrill', 'grade', '--output', 'y')).toEqual(['yaml']);
    expect(complete('firedrill', 'run', '--substrate', '')).toEqual([...SUBSTRATE_NAMES]);
    expect(complete('firedrill', 'corpus', 'run', '--sh')).toEqual(['--shard']);
    expect(complete('firedrill', 'completion', '')).toEqual([...SHELLS]);
    // an option's value is not a subcommand: `--out run` stays in `run`, not `corpus run`
    expect(complete('firedrill', 'run', '--out', 'corpus', '--kee')).toEqual(['--keep-up']);
    // pack's -o is a file: nothing offered, so the shell completes file names
    expect(complete('firedrill', 'bundle', 'pack', '-o', '')).toEqual([]);
    expect(complete('firedrill', 'validate', '')).toEqual([]);
  });

  it('gives zsh and fish scripts their shells accept', async () => {
    for (const shell of ['zsh', 'fish'] as const) {
      const script = completionScript(shell, program, '0.0.0-test');
      expect(script).toContain("'firedrill corpus run");
      if (!has(shell)) continue; // the syntax check needs the shell installed
      const file = join(dir, `firedrill.${shell}`);
      await writeFile(file, script);
      const r = spawnSync(shell, ['-n', file], { encoding: 'utf8' });
      expect({ shell, status: r.status, stderr: r.stderr }).toEqual({ shell, status: 0, stderr: '' });
    }
  });

  it('completes in fish when fish is installed', () => {
    if (!has('fish')) return;
    const script = completionScript('fish', program, '0.0.0-test');
    const offered = (line: string): string[] =>
      execFileSync('fish', ['-c', `${script}\ncomplete -C ${JSON.stringify(line)}`], { encoding: 'utf8' })
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split('\t')[0]);
    expect(offered('firedrill status -o ')).toEqual(['json', 'text', 'yaml']);
    expect(offered('firedrill corpus run --substrate ')).toEqual([...SUBSTRATE_NAMES].sort());
  });

  it('prints the script for a shell and refuses others in one line', async () => {
    const ok = await runInProcess(['completion', 'bash']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('complete -o default -F _firedrill firedrill firedrill.js');
    const bad = await runInProcess(['completion', 'tcsh']);
    expect(bad).toEqual({
      code: 2,
      stdout: '',
      stderr: 'firedrill: unknown shell "tcsh"; use one of bash, zsh, fish\n',
    });
    expect(() => parseShell('sh')).toThrow(InvalidInputError);
  });

  it('says how to install in its help', async () => {
    const r = await runInProcess(['completion', '--help']);
    for (const shell of SHELLS) expect(r.stdout).toContain(`firedrill completion ${shell} >`);
  });
});
