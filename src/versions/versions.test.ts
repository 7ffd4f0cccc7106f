import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidInputError } from '../errors/invalid-input-error.js';
import { imageReference, imageReferences, imageTag, loadVersions, VERSIONS_FILE } from './versions.js';

describe('loadVersions', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'firedrill-versions-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads the repository pins', () => {
    const v = loadVersions();
    expect(v.images.kindNode.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(imageReference(v.images.kindNode)).toBe(`${v.images.kindNode.image}@${v.images.kindNode.digest}`);
    expect(imageReference(v.images.redis)).toBe(v.images.redis.image);
    expect(imageReference(v.images.postgres)).toBe('postgres:15');
    expect(Object.keys(imageReferences(v)).sort()).toEqual(Object.keys(v.images).sort());
  });

  it('names the file and every bad field', async () => {
    const good = loadVersions(VERSIONS_FILE);
    const bad = structuredClone(good) as unknown as {
      images: Record<string, { image: string; digest: unknown }>;
    };
    bad.images.redis!.image = 'redis:latest';
    bad.images.jaeger!.image = 'jaegertracing/jaeger';
    bad.images.kindNode!.digest = 'sha256:nope';
    const file = join(dir, 'versions.json');
    await writeFile(file, JSON.stringify(bad));
    let err: unknown;
    try {
      loadVersions(file);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidInputError);
    const lines = (err as Error).message.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines.every((l) => l.startsWith(`${file}: images.`))).toBe(true);
    expect(lines.join('\n')).toMatch(/images\.redis\.image: must be repository:tag/);
    expect(lines.join('\n')).toMatch(/images\.jaeger\.image/);
    expect(lines.join('\n')).toMatch(/images\.kindNode\.digest: must be sha256/);
  });

  it('reports unreadable JSON with the file name', async () => {
    const file = join(dir, 'broken.json');
    await writeFile(file, '{');
    expect(() => loadVersions(file)).toThrow(new RegExp(`^${file}: cannot read pinned versions`));
  });

  it('gives the tag of a pin', () => {
    expect(imageTag({ image: 'node:20.20.2-bookworm-slim', digest: null })).toBe('20.20.2-bookworm-slim');
  });
});
