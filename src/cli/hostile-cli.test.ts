import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packBundle } from '../bundle/pack.js';
import { writeSampleBundle } from '../bundle/testing/sample-bundle.js';
import { TRUTH_FILE } from '../bundle/layout.js';
import { REPO_ROOT } from '../version.js';
import { runInProcess } from './testing/run-cli.js';

/** Bytes a terminal acts on: ESC, BEL, NUL and the other C0/C1 controls, bidi overrides. */
// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const NO_STACK = /internal error|\n\s+at /;

let work: string;
beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'firedrill-hostile-cli-'));
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('control bytes from inputs are escaped before they reach the terminal', () => {
  const EVIL = '\u001b]0;pwned\u0007\u001b[2J\u0000\u202egnp.exe';

  it('grade: answer entries in warnings, text and JSON', async () => {
    const bundle = await writeSampleBundle(work, 'b-1');
    const answer = join(work, 'answer.json');
    await writeFile(
      answer,
      JSON.stringify({ entities: [`shop/Deployment/${EVIL}`, { name: 42, id: EVIL }] }),
    );
    for (const format of ['text', 'json', 'yaml']) {
      const r = await runInProcess(['grade', '--truth', bundle, '--answer', answer, '-o', format]);
      expect(r.code).toBe(0);
      expect(r.stderr).not.toMatch(RAW_CONTROL);
      expect(r.stdout).not.toMatch(RAW_CONTROL);
      expect(r.stderr).toContain('\\x1b]0;pwned\\x07');
      expect(r.stderr).toContain('\\u202egnp');
    }
  });

  it('validate: values, keys and file names in problems', async () => {
    const dir = join(work, `scen\u001b[31marios`);
    await mkdir(dir);
    const text = (await readFile(join(REPO_ROOT, 'scenarios', 'shop', 'payment-latency.yaml'), 'utf8'))
      .replace('id: payment-latency', `id: "${EVIL.replace('\u0000', '\\0')}"`)
      .replace('  seed: 42', '  seed: 42\n  "\u001b[8mhidden": 1');
    await writeFile(join(dir, 'x.yaml'), text);
    for (const format of ['text', 'json']) {
      const r = await runInProcess(['validate', dir, '-o', format]);
      expect(r.code).toBe(2);
      expect(r.stderr + r.stdout).not.toMatch(RAW_CONTROL);
      expect(r.stderr + r.stdout).toContain('\\x1b[31marios');
      expect(r.stderr + r.stdout).toContain('\\x1b[8mhidden');
    }
  });

  it('bundle unpack: entry names in messages', async () => {
    const { rawTarGz } = await import('../bundle/testing/raw-tar.js');
    const file = join(work, 'x.tar.gz');
    await writeFile(file, rawTarGz([{ name: `b-1/\u202egnp.exe`, type: '2', linkname: '/etc' }]));
    const r = await runInProcess(['bundle', 'unpack', file, join(work, 'out')]);
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(RAW_CONTROL);
    expect(r.stderr).toContain('\\u202e');
  });
});

describe('clear messages', () => {
  it('verify names a traversal entry of the manifest by the manifest, under the bundle', async () => {
    const bundle = await writeSampleBundle(work, 'b-1');
    const m = JSON.parse(await readFile(join(bundle, 'manifest.json'), 'utf8')) as { files: object[] };
    m.files.push({ path: '../../../etc/passwd', sha256: '0'.repeat(64), bytes: 1, records: 1 });
    await writeFile(join(bundle, 'manifest.json'), JSON.stringify(m));
    const r = await runInProcess(['bundle', 'verify', bundle]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(
      `${bundle}/manifest.json: files[] entry "../../../etc/passwd" is not allowed: data files live under snapshot/ or truth/ and each segment is a plain name ([A-Za-z0-9_][A-Za-z0-9._-]*)\n`,
    );
  });
});

describe('messages, not stack traces', () => {
  it.each([
    [
      'unpack a directory',
      (w: string) => ['bundle', 'unpack', w, join(w, 'out')],
      /is a directory, not a packed bundle/,
    ],
    [
      'unpack onto a file',
      (w: string) => ['bundle', 'unpack', join(w, 'b.tar.gz'), join(w, 'b.tar.gz')],
      /exists and is not a directory/,
    ],
    [
      'pack onto a directory',
      (w: string) => ['bundle', 'pack', join(w, 'b-1'), '-o', w],
      /exists and is a directory/,
    ],
    [
      'pack into /proc',
      (w: string) => ['bundle', 'pack', join(w, 'b-1'), '-o', '/proc/version'],
      /cannot write the packed bundle/,
    ],
    [
      'export into /proc',
      (w: string) => ['bundle', 'export', '--format', 'rcaeval', join(w, 'b-1'), '/proc/self/x'],
      /cannot export there/,
    ],
  ])('%s', async (_name, args, message) => {
    const bundle = await writeSampleBundle(work, 'b-1');
    await packBundle(bundle, join(work, 'b.tar.gz'));
    const r = await runInProcess(args(work));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(NO_STACK);
  });
});

describe('grade and export verify what they read', () => {
  it('grade refuses an edited truth naming it, with the way out; --no-verify grades it', async () => {
    const bundle = await writeSampleBundle(work, 'b-1');
    const truth = JSON.parse(await readFile(join(bundle, TRUTH_FILE), 'utf8')) as { rootCauses: unknown[] };
    truth.rootCauses = [{ id: 'shop/Deployment/checkout', aliases: [] }];
    await writeFile(join(bundle, TRUTH_FILE), JSON.stringify(truth));
    const answer = join(work, 'answer.json');
    await writeFile(answer, JSON.stringify({ entities: ['shop/Deployment/checkout'] }));
    const refused = await runInProcess(['grade', '--truth', bundle, '--answer', answer, '-o', 'json']);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(
      new RegExp(
        `^firedrill: ${join(bundle, TRUTH_FILE)}: is \\d+ bytes, manifest.json says \\d+; refused; --no-verify grades it anyway\\n$`,
      ),
    );
    const graded = await runInProcess([
      'grade',
      '--truth',
      bundle,
      '--answer',
      answer,
      '--no-verify',
      '-o',
      'json',
    ]);
    expect(graded.code).toBe(0);
    expect((JSON.parse(graded.stdout) as { apFullRecall: number }).apFullRecall).toBe(1);
  });

  it('export refuses a snapshot file that is a link out of the bundle, and an edited one', async () => {
    const bundle = await writeSampleBundle(work, 'b-1');
    const linked = join(work, 'linked');
    await cp(bundle, linked, { recursive: true });
    await rm(join(linked, 'snapshot', 'events.ndjson'));
    const { symlink } = await import('node:fs/promises');
    await symlink('/etc/hostname', join(linked, 'snapshot', 'events.ndjson'));
    const r1 = await runInProcess(['bundle', 'export', '--format', 'itbench-lite', linked, join(work, 'e1')]);
    expect(r1.code).toBe(1);
    expect(r1.stderr).toMatch(/events\.ndjson: is a symbolic link/);

    const events = join(bundle, 'snapshot', 'events.ndjson');
    await writeFile(events, (await readFile(events, 'utf8')).replace('Unhealthy', 'Healthy'));
    const r2 = await runInProcess(['bundle', 'export', '--format', 'itbench-lite', bundle, join(work, 'e2')]);
    expect(r2.code).toBe(1);
    expect(r2.stderr).toMatch(/events\.ndjson: .*; --no-verify exports it anyway/);
    const r3 = await runInProcess([
      'bundle',
      'export',
      '--format',
      'itbench-lite',
      bundle,
      join(work, 'e3'),
      '--no-verify',
    ]);
    expect(r3.code).toBe(0);
  });

  it('a refused export leaves no directory behind, not even the parents it would have made', async () => {
    const bundle = await writeSampleBundle(work, 'b-1');
    const before = (await readdir(work)).sort();
    const nested = await runInProcess([
      'bundle',
      'export',
      '--format',
      'otlp',
      bundle,
      join(work, 'x'),
      '--truth-dir',
      join(work, 'x', 'truth'),
    ]);
    expect(nested.code).toBe(2);
    expect(nested.stderr).toMatch(/must not be inside the export/);
    expect((await readdir(work)).sort()).toEqual(before);

    const truth = join(bundle, TRUTH_FILE);
    await writeFile(truth, (await readFile(truth, 'utf8')).replace('payment', 'frontend'));
    const edited = await runInProcess([
      'bundle',
      'export',
      '--format',
      'otlp',
      bundle,
      join(work, 'new', 'deep', 'e'),
      '--truth-dir',
      join(work, 'other', 't'),
    ]);
    expect(edited.code).toBe(1);
    expect((await readdir(work)).sort()).toEqual(before);
  });
});
