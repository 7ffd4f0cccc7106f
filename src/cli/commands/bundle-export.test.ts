import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { register as registerBundle } from './bundle.js';
import { register as registerCorpus } from './corpus.js';
import { runExport } from './bundle-export.js';

const FIXTURE = join(process.cwd(), 'tests', 'fixtures', 'bundle', 'sample-r0');

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'fd-export-cli-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('firedrill bundle export', () => {
  it('prints the export and truth directories', async () => {
    const out: string[] = [];
    await runExport(FIXTURE, join(root, 'rca'), { format: 'rcaeval' }, { stdout: (t) => out.push(t) });
    expect(out.join('')).toBe(`${join(root, 'rca')}\n${join(root, 'rca.truth')}\n`);
    expect(await readdir(join(root, 'rca.truth'))).toContain('root_cause.txt');
  });

  it('is registered under `bundle` with the format choices in its help', () => {
    const program = new Command('firedrill');
    registerBundle(program);
    registerCorpus(program);
    const bundle = program.commands.find((c) => c.name() === 'bundle');
    const exp = bundle?.commands.find((c) => c.name() === 'export');
    expect(exp).toBeDefined();
    const help = exp?.helpInformation() ?? '';
    expect(help).toMatch(/itbench-lite/);
    expect(help).toMatch(/rcaeval/);
    expect(program.commands.find((c) => c.name() === 'corpus')?.commands.map((c) => c.name())).toEqual([
      'run',
      'merge',
    ]);
  });
});
