import { spawnSync } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BundleError } from '../../errors/bundle-error.js';
import { ExitCode } from '../../errors/exit-codes.js';
import { writeSampleBundle } from '../../bundle/testing/sample-bundle.js';
import { rawTarGz } from '../../bundle/testing/raw-tar.js';
import { runPack, runUnpack, runVerify, type BundleIo } from './bundle.js';

const ROOT = process.cwd();
const FIXTURE = join(ROOT, 'tests', 'fixtures', 'bundle', 'sample-r0');

function capture(): BundleIo & { out: string; err: string } {
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

let work: string;
beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'firedrill-bundle-cli-'));
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('firedrill bundle', () => {
  it('verify prints ok per intact bundle and every problem of a broken one', async () => {
    const good = await writeSampleBundle(work, 'good-1');
    const bad = await writeSampleBundle(work, 'bad-1');
    await unlink(join(bad, 'snapshot', 'traces.ndjson'));
    await writeFile(join(bad, 'snapshot', 'events.ndjson'), 'x\n');
    const io = capture();
    expect(await runVerify([good, bad], {}, io)).toBe(ExitCode.Failure);
    expect(io.out.split('\n')).toEqual([
      `ok ${good} (9 files)`,
      `${bad}/snapshot/events.ndjson: is 2 bytes, manifest says 332`,
      expect.stringMatching(
        /^.*\/bad-1\/snapshot\/events\.ndjson: sha256 [0-9a-f]{64} differs from manifest/,
      ),
      expect.stringMatching(/^.*\/bad-1\/snapshot\/events\.ndjson: line 1: invalid JSON/),
      `${bad}/snapshot/traces.ndjson: listed in manifest.json but missing`,
      '',
    ]);
    expect(io.err).toBe('');
  });

  it('verify --strict turns leak warnings into problems', async () => {
    const dir = await writeSampleBundle(work, 'leak-1');
    const manifestPath = join(dir, 'manifest.json');
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as { scenarioId: string };
    // a scenario id that the sample's task text happens to contain
    manifest.scenarioId = 'incident';
    await writeFile(manifestPath, JSON.stringify(manifest));
    const lenient = capture();
    expect(await runVerify([dir], {}, lenient)).toBe(ExitCode.Ok);
    expect(lenient.err).toBe(`firedrill: warning: ${dir}/snapshot/task.md: leak: line 1: names "incident"\n`);
    const strict = capture();
    expect(await runVerify([dir], { strict: true }, strict)).toBe(ExitCode.Failure);
    expect(strict.out).toBe(`${dir}/snapshot/task.md: leak: line 1: names "incident"\n`);
  });

  it('verify --json reports each bundle', async () => {
    const io = capture();
    expect(await runVerify([FIXTURE, join(work, 'missing')], { json: true }, io)).toBe(ExitCode.Failure);
    const out = JSON.parse(io.out) as Array<{ path: string; ok: boolean; bundleId: string | null }>;
    expect(out.map((r) => [r.ok, r.bundleId])).toEqual([
      [true, 'sample-r0'],
      [false, null],
    ]);
  });

  it('pack prints the archive path; unpack prints the bundle directory; both refuse damage', async () => {
    const packed = capture();
    const out = join(work, 'task.tar.gz');
    expect(await runPack(FIXTURE, { output: out }, packed)).toBe(ExitCode.Ok);
    expect(packed.out).toBe(`${out}\n`);
    const unpacked = capture();
    expect(await runUnpack(out, join(work, 'u'), {}, unpacked)).toBe(ExitCode.Ok);
    expect(unpacked.out).toBe(`${join(work, 'u', 'sample-r0')}\n`);

    const evil = join(work, 'evil.tar.gz');
    await writeFile(evil, rawTarGz([{ name: 'b/../../x', data: 'x' }]));
    const err = (await runUnpack(evil, join(work, 'v'), {}, capture()).catch(
      (e: unknown) => e,
    )) as BundleError;
    expect(err).toBeInstanceOf(BundleError);
    expect(err.exitCode).toBe(ExitCode.Failure);
    expect(err.message).toBe(`${evil}: unsafe entry "b/../../x": '..' segment`);
  });

  it('exits 0 for an intact bundle and 1 with one line per problem (spawned CLI)', async () => {
    const run = (...args: string[]) =>
      spawnSync(process.execPath, [join(ROOT, 'bin', 'firedrill.js'), 'bundle', 'verify', ...args], {
        cwd: ROOT,
        env: { ...process.env, FIREDRILL_FROM_SOURCE: '1' },
        encoding: 'utf8',
      });
    const ok = run(FIXTURE);
    expect({ status: ok.status, stdout: ok.stdout, stderr: ok.stderr }).toEqual({
      status: 0,
      stdout: `ok ${FIXTURE} (9 files)\n`,
      stderr: '',
    });

    const broken = join(work, 'broken');
    await cp(FIXTURE, broken, { recursive: true });
    await writeFile(join(broken, 'snapshot', 'task.md'), 'changed\n');
    await writeFile(join(broken, 'truth', 'extra.json'), '{}');
    const bad = run(broken);
    expect(bad.status).toBe(1);
    expect(bad.stdout.trimEnd().split('\n')).toEqual([
      `${broken}/snapshot/task.md: is 8 bytes, manifest says 205`,
      expect.stringContaining(`${broken}/snapshot/task.md: sha256 `),
      `${broken}/snapshot/task.md: has 1 records, manifest says 4`,
      `${broken}/truth/extra.json: not listed in manifest.json`,
    ]);
  }, 30_000);
});
