import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SyntheticShop } from '../../../agents/reference/testing/synthetic-shop.js';
import { InvalidInputError } from '../../errors/index.js';
import { runBaseline, type BaselineIo } from './baseline.js';

const ROOT = process.cwd();

function capture(): BaselineIo & { out: string; err: string } {
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

let root: string;
let bundle: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'fd-baseline-'));
  bundle = join(root, 'incident-0123456789ab');
  const shop = new SyntheticShop();
  shop.failRequests('catalog', 120, 0.5, 503);
  await shop.writeTo(join(bundle, 'snapshot'));
  // A truth that names something else: the baseline must never read it.
  await mkdir(join(bundle, 'truth'), { recursive: true });
  await writeFile(
    join(bundle, 'truth', 'ground_truth.json'),
    '{"rootCauses": [{"id": "shop/Deployment/payment"}]}',
  );
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('runBaseline', () => {
  it('prints the answer of a bundle directory as JSON', async () => {
    const io = capture();
    expect(await runBaseline(bundle, {}, io)).toBe(0);
    const answer = JSON.parse(io.out) as { entities: string[] };
    expect(answer.entities[0]).toBe('shop/Deployment/catalog');
    expect(io.err).toBe('');
  });

  it('accepts the snapshot directory itself', async () => {
    const io = capture();
    expect(await runBaseline(join(bundle, 'snapshot'), {}, io)).toBe(0);
    expect((JSON.parse(io.out) as { entities: string[] }).entities[0]).toBe('shop/Deployment/catalog');
  });

  it('explains the ranking with the evidence for each entity', async () => {
    const io = capture();
    expect(await runBaseline(bundle, { explain: true }, io)).toBe(0);
    expect(io.out).toMatch(/^1\. shop\/Deployment\/catalog {2}score /m);
    expect(io.out).toMatch(/traces .*server spans failed in its own code/);
  });

  it('prints the evidence as JSON with --json', async () => {
    const io = capture();
    expect(await runBaseline(bundle, { json: true }, io)).toBe(0);
    const json = JSON.parse(io.out) as {
      entities: string[];
      candidates: Array<{ entity: string; reasons: unknown[] }>;
      symptoms: unknown[];
    };
    expect(json.entities[0]).toBe('shop/Deployment/catalog');
    expect(json.candidates[0].reasons.length).toBeGreaterThan(0);
    expect(json.symptoms.length).toBeGreaterThan(0);
  });

  it('refuses a path that does not exist, or a directory that is no snapshot, as bad input', async () => {
    await expect(runBaseline(join(root, 'absent'), {}, capture())).rejects.toThrow(InvalidInputError);
    await mkdir(join(root, 'empty'), { recursive: true });
    await expect(runBaseline(join(root, 'empty'), {}, capture())).rejects.toThrow(
      /not a bundle or snapshot directory/,
    );
    await writeFile(join(root, 'notes.txt'), 'hello');
    await expect(runBaseline(join(root, 'notes.txt'), {}, capture())).rejects.toThrow(InvalidInputError);
  });

  it('reports a damaged packed bundle as unreadable (exit 1)', async () => {
    const archive = join(root, 'broken.tar.gz');
    await writeFile(archive, 'not a tarball');
    await expect(runBaseline(archive, {}, capture())).rejects.toMatchObject({ exitCode: 1 });
  });
});

describe('firedrill baseline (process)', () => {
  it('prints the answer and exits 0; exits 2 for a missing path', () => {
    const run = (args: string[]) =>
      spawnSync(process.execPath, [join(ROOT, 'bin', 'firedrill.js'), 'baseline', ...args], {
        cwd: ROOT,
        env: { ...process.env, FIREDRILL_FROM_SOURCE: '1' },
        encoding: 'utf8',
      });
    const ok = run([bundle]);
    expect({ status: ok.status, stderr: ok.stderr }).toEqual({ status: 0, stderr: '' });
    expect((JSON.parse(ok.stdout) as { entities: string[] }).entities[0]).toBe('shop/Deployment/catalog');
    const missing = run([join(root, 'absent')]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/no such file or directory/);
  }, 60_000);
});
