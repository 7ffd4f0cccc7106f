import { cp, mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import type { GroundTruth } from '../bundle/ground-truth.js';
import { BundleWriter } from '../bundle/bundle-writer.js';
import { packBundle } from '../bundle/pack.js';
import { FiredrillError, InvalidInputError, UnreadableInputError } from '../errors/index.js';
import { loadTruth } from './load-truth.js';
import type { OpenedBundle, PackedBundleOpener } from './packed-bundle.js';

const FIXTURES = join(process.cwd(), 'tests', 'fixtures', 'grade');
const SINGLE = join(FIXTURES, 'truth-single.json');
const BUNDLE = join(FIXTURES, 'corpus', 'bundles', 'checkout-latency-r1');

describe('loadTruth', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'firedrill-truth-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads a bare ground_truth.json and applies schema defaults', async () => {
    const p = join(dir, 'minimal.json');
    await writeFile(
      p,
      JSON.stringify({ format: 1, scenarioId: 's', rootCauses: [{ id: 'shop/Deployment/cart' }] }),
    );
    const loaded = await loadTruth(p);
    expect(loaded.bundle).toBeUndefined();
    expect(loaded.truth.rootCauses).toEqual([{ id: 'shop/Deployment/cart', aliases: [] }]);
    expect(loaded.truth.faults).toEqual([]);
  });

  it('reads a bundle directory with its manifest identity', async () => {
    const loaded = await loadTruth(BUNDLE);
    expect(loaded.bundle).toEqual({
      bundleId: 'checkout-latency-r1',
      scenarioId: 'checkout-latency',
      repeat: 1,
    });
    expect(loaded.truth.rootCauses[0].id).toBe('shop/Deployment/checkout');
    expect(loaded.warnings).toEqual([]);
  });

  it('falls back to the directory name and truth when the manifest is missing', async () => {
    const b = join(dir, 'no-manifest-bundle');
    await mkdir(join(b, 'truth'), { recursive: true });
    await cp(SINGLE, join(b, 'truth', 'ground_truth.json'));
    await expect(loadTruth(b)).rejects.toThrow(
      /no manifest\.json \(an unfinished bundle\?\), so truth\/ground_truth\.json cannot be verified; --no-verify/,
    );
    const loaded = await loadTruth(b, { verify: false });
    expect(loaded.bundle).toEqual({
      bundleId: 'no-manifest-bundle',
      scenarioId: 'checkout-latency',
      repeat: 0,
    });
    expect(loaded.warnings[0]).toMatch(/manifest\.json is missing/);
  });

  it('warns about manifest fields it cannot use', async () => {
    const b = join(dir, 'odd-manifest');
    await mkdir(join(b, 'truth'), { recursive: true });
    await cp(SINGLE, join(b, 'truth', 'ground_truth.json'));
    await writeFile(
      join(b, 'manifest.json'),
      JSON.stringify({ bundleId: 'x1', scenarioId: 'other', repeat: -1 }),
    );
    await expect(loadTruth(b)).rejects.toThrow(/odd-manifest: bundle format missing is not supported/);
    const loaded = await loadTruth(b, { verify: false });
    expect(loaded.bundle).toEqual({ bundleId: 'x1', scenarioId: 'other', repeat: 0 });
    expect(loaded.warnings.join('\n')).toMatch(/differs from the truth's "checkout-latency"/);
    expect(loaded.warnings.join('\n')).toMatch(/no repeat; using 0/);
  });

  it('rejects a path that does not exist as bad usage', async () => {
    await expect(loadTruth(join(dir, 'nope'))).rejects.toThrow(InvalidInputError);
  });

  it('rejects a directory without truth/ground_truth.json', async () => {
    const b = join(dir, 'empty-dir');
    await mkdir(b);
    await expect(loadTruth(b)).rejects.toThrow(/is not a bundle: truth\/ground_truth.json is missing/);
  });

  it.each([
    ['not-json.json', '{"format": 1,', /not valid JSON/],
    ['no-root-causes.json', JSON.stringify({ format: 1, scenarioId: 's', rootCauses: [] }), /rootCauses: /],
    [
      'wrong-format.json',
      JSON.stringify({ format: 2, scenarioId: 's', rootCauses: [{ id: 'a/b' }] }),
      /format: /,
    ],
  ])('fails %s as an unreadable input', async (name, content, why) => {
    const p = join(dir, name);
    await writeFile(p, content);
    const err = await loadTruth(p).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnreadableInputError);
    expect((err as Error).message).toMatch(why);
    expect((err as Error).message).toContain(p);
  });

  it('reads a packed bundle through the opener and closes it', async () => {
    const truth = JSON.parse(readFileSync(SINGLE, 'utf8')) as GroundTruth;
    const calls: string[] = [];
    const opener: PackedBundleOpener = (path) => {
      calls.push(`open ${path}`);
      const opened: OpenedBundle = {
        manifest: { bundleId: 'packed-7', scenarioId: 'checkout-latency', repeat: 7 },
        groundTruth: () => Promise.resolve(truth),
        close: () => {
          calls.push('close');
        },
      };
      return Promise.resolve(opened);
    };
    const p = join(dir, 'packed-7.tar.gz');
    await writeFile(p, 'not really gzip; the fake opener never reads it');
    const loaded = await loadTruth(p, { openPacked: opener });
    expect(loaded.bundle).toEqual({ bundleId: 'packed-7', scenarioId: 'checkout-latency', repeat: 7 });
    expect(loaded.truth.rootCauses[0].aliases).toContain('shop/Pod/checkout-0');
    expect(calls).toEqual([`open ${p}`, 'close']);
  });

  it('closes a packed bundle whose truth is invalid', async () => {
    let closed = false;
    const opener: PackedBundleOpener = () =>
      Promise.resolve({
        manifest: {},
        groundTruth: () => Promise.resolve({ format: 1 } as unknown as GroundTruth),
        close: () => {
          closed = true;
        },
      });
    const p = join(dir, 'bad.tgz');
    await writeFile(p, '');
    await expect(loadTruth(p, { openPacked: opener })).rejects.toThrow(UnreadableInputError);
    expect(closed).toBe(true);
  });

  it('reads a real packed bundle through the bundle reader', async () => {
    const w = await BundleWriter.create(join(dir, 'out'), 'packed-real-r2');
    let bundleDir: string;
    try {
      await w.writeText('snapshot/task.md', '# Incident\n');
      await w.writeText('truth/ground_truth.json', readFileSync(SINGLE, 'utf8'));
      const t = '2025-01-01T00:00:00.000Z';
      bundleDir = await w.commit({
        scenarioId: 'checkout-latency',
        scenarioHash: 'sha256:test',
        seed: 1,
        repeat: 2,
        substrate: 'local',
        times: { windowStart: t, windowEnd: t, injectedAt: null, manifestedAt: null, capturedAt: t },
        manifested: false,
      });
    } finally {
      await w.abort();
    }
    const packed = await packBundle(bundleDir, join(dir, 'packed-real-r2.tar.gz'));
    const loaded = await loadTruth(packed.file);
    expect(loaded.bundle).toEqual({ bundleId: 'packed-real-r2', scenarioId: 'checkout-latency', repeat: 2 });
    expect(loaded.truth.rootCauses[0].id).toBe('shop/Deployment/checkout');
  });

  it('fails a damaged packed bundle with a typed error', async () => {
    const p = join(dir, 'damaged.tar.gz');
    await writeFile(p, 'definitely not gzip');
    const err = await loadTruth(p).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FiredrillError);
    expect((err as FiredrillError).exitCode).toBe(1);
  });
});
