import { join } from 'node:path';
import { ManifestError } from '../errors/manifest-error.js';
import { REPO_ROOT } from '../version.js';
import {
  describeObject,
  loadManifestEntries,
  loadManifests,
  parseManifestText,
  sourceOf,
} from './load-manifests.js';

const FIXTURES = join(REPO_ROOT, 'tests/fixtures/manifests');

async function manifestError(dir: string): Promise<ManifestError> {
  try {
    await loadManifests(join(FIXTURES, dir));
  } catch (err) {
    if (err instanceof ManifestError) return err;
    throw err;
  }
  throw new Error(`expected ${dir} to fail`);
}

describe('loadManifests', () => {
  it('reads every document of every .yaml/.yml file in name order, skipping comment-only documents', async () => {
    const objects = await loadManifests(join(FIXTURES, 'valid'));
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'Namespace/demo',
      'Deployment/web',
      'Service/web',
    ]);
  });

  it('remembers the file and the line of the first key of each object', async () => {
    const entries = await loadManifestEntries(join(FIXTURES, 'valid'));
    const where = entries.map((e) => `${e.source.file}:${e.source.line}`);
    expect(where).toEqual([
      'tests/fixtures/manifests/valid/00-namespace.yml:1',
      'tests/fixtures/manifests/valid/app.yaml:2',
      'tests/fixtures/manifests/valid/app.yaml:20',
    ]);
    const objects = await loadManifests(join(FIXTURES, 'valid'));
    const service = objects.find((o) => o.kind === 'Service');
    expect(service && sourceOf(service)).toEqual({
      file: 'tests/fixtures/manifests/valid/app.yaml',
      line: 20,
    });
    expect(service && describeObject(service)).toBe(
      'tests/fixtures/manifests/valid/app.yaml:20 (demo/Service/web)',
    );
  });

  it('collects every problem of every file with its position', async () => {
    const err = await manifestError('broken');
    expect(err.exitCode).toBe(2);
    const lines = err.message.split('\n');
    expect(lines).toEqual([
      'tests/fixtures/manifests/broken/a.yaml:6:1: missing kind',
      'tests/fixtures/manifests/broken/a.yaml:10:1: a manifest document must be a mapping with apiVersion, kind and metadata',
      'tests/fixtures/manifests/broken/b.yaml:5:18: YAML: Flow sequence in block collection must be sufficiently indented and end with a ]',
    ]);
  });

  it('rejects an object defined twice, naming both places', async () => {
    const err = await manifestError('duplicate');
    expect(err.message).toBe(
      'tests/fixtures/manifests/duplicate/two.yaml:7:1: demo/ConfigMap/settings is already defined at tests/fixtures/manifests/duplicate/one.yaml:1',
    );
  });

  it('reports a missing name and a non-string namespace', () => {
    const problems: Parameters<typeof parseManifestText>[3] = [];
    const entries = parseManifestText(
      'apiVersion: v1\nkind: Pod\nmetadata: {}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: 3}\n',
      'inline.yaml',
      [],
      problems,
    );
    expect(entries).toEqual([]);
    expect(problems.map((p) => `${p.line}: ${p.message}`)).toEqual([
      '1: Pod without metadata.name',
      '5: Pod p: metadata.namespace must be a string',
    ]);
  });
});
