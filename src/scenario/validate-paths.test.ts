import { mkdtemp, mkdir, rm, symlink, writeFile, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { formatProblem, ScenarioError } from '../errors/scenario-error.js';
import { FaultRegistry } from '../faults/fault-registry.js';
import { testRegistry } from '../faults/testing/test-fault.js';
import { REPO_ROOT } from '../version.js';
import { collectScenarioFiles, findScenarioFiles } from './find-scenario-files.js';
import { validatePaths } from './validate-paths.js';

const DIR = join(REPO_ROOT, 'tests', 'fixtures', 'scenario');
const registry = testRegistry();

describe('findScenarioFiles', () => {
  let tmp: string;
  beforeEach(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'firedrill-find-'));
  });
  afterEach(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('searches directories recursively for *.yaml and *.yml, sorted, skipping hidden dirs and node_modules', async () => {
    for (const d of ['b', 'a/deep', '.hidden', 'node_modules/x'])
      await mkdir(join(tmp, d), { recursive: true });
    for (const f of [
      'b/2.yml',
      'a/deep/1.yaml',
      'a/0.YAML',
      'c.yaml',
      'notes.txt',
      '.hidden/h.yaml',
      'node_modules/x/n.yaml',
    ]) {
      await writeFile(join(tmp, f), 'x: 1\n');
    }
    await symlink(join(tmp, 'c.yaml'), join(tmp, 'link.yaml'));
    await symlink(join(tmp, 'a'), join(tmp, 'loop.yaml'));
    const files = (await findScenarioFiles([tmp])).map((f) => relative(tmp, f));
    expect(files).toEqual(['a/0.YAML', 'a/deep/1.yaml', 'b/2.yml', 'c.yaml', 'link.yaml']);
  });

  it('does not follow a link in a directory out of that directory (a secret would be echoed)', async () => {
    const outside = await mkdtemp(join(tmpdir(), 'firedrill-outside-'));
    try {
      await writeFile(join(outside, 'secret'), 'root:$6$hash:20228:0:99999:7:::\n');
      await mkdir(join(tmp, 'sub'));
      await writeFile(join(tmp, 'sub', 'ok.yaml'), 'x: 1\n');
      await symlink(join(outside, 'secret'), join(tmp, 'shadow.yaml'));
      await symlink(join('..', 'sub', 'ok.yaml'), join(tmp, 'sub', 'inside.yaml'));
      await symlink('../../../../../../../..' + join(outside, 'secret'), join(tmp, 'sub', 'relative.yaml'));
      const { files, problems } = await collectScenarioFiles([tmp]);
      expect(files.map((f) => relative(tmp, f))).toEqual(['sub/inside.yaml', 'sub/ok.yaml']);
      expect(problems.map(formatProblem)).toEqual([
        `${join(tmp, 'shadow.yaml')}:1:1: (root): a link out of ${tmp}; not followed (name the file itself to read it)`,
        `${join(tmp, 'sub', 'relative.yaml')}:1:1: (root): a link out of ${tmp}; not followed (name the file itself to read it)`,
      ]);
      // named directly, a link is the caller's choice
      expect(await findScenarioFiles([join(tmp, 'shadow.yaml')])).toEqual([join(tmp, 'shadow.yaml')]);
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });

  it('takes a named file whatever its extension, keeps the spelling given and drops repeats', async () => {
    await writeFile(join(tmp, 'scenario.txt'), 'x: 1\n');
    await writeFile(join(tmp, 'a.yaml'), 'x: 1\n');
    const files = await findScenarioFiles([join(tmp, 'scenario.txt'), tmp, join(tmp, 'a.yaml')]);
    expect(files).toEqual([join(tmp, 'scenario.txt'), join(tmp, 'a.yaml')]);
  });

  it('throws a ScenarioError for a missing path and for a directory without scenarios', async () => {
    await mkdir(join(tmp, 'empty'));
    const err = (await findScenarioFiles([join(tmp, 'nope.yaml'), join(tmp, 'empty')]).catch(
      (e: unknown) => e,
    )) as ScenarioError;
    expect(err).toBeInstanceOf(ScenarioError);
    expect(err.problems.map(formatProblem)).toEqual([
      `${join(tmp, 'nope.yaml')}:1:1: (root): cannot read: no such file or directory`,
      `${join(tmp, 'empty')}:1:1: (root): no *.yaml or *.yml files in this directory`,
    ]);
  });
});

describe('validatePaths', () => {
  it('accepts valid files and returns their scenarios', async () => {
    const r = await validatePaths([join(DIR, 'valid.yaml'), join(DIR, 'minimal.yaml')], registry);
    expect(r.problems).toEqual([]);
    expect(r.files).toHaveLength(2);
    expect(r.scenarios.map((s) => s.metadata.id)).toEqual(['payment-latency', 'cart-errors']);
  });

  it('reports a metadata.id used by an earlier file at the later file', async () => {
    const r = await validatePaths([join(DIR, 'duplicate-ids')], registry);
    expect(r.files.map((f) => relative(DIR, f))).toEqual([
      'duplicate-ids/first.yaml',
      'duplicate-ids/nested/second.yml',
    ]);
    expect(r.problems.map(formatProblem)).toEqual([
      `${join(DIR, 'duplicate-ids/nested/second.yml')}:4:7: metadata.id: duplicate scenario id "same-id"; first used in ${join(DIR, 'duplicate-ids/first.yaml')}:4:7`,
    ]);
    expect(r.scenarios.map((s) => s.metadata.title)).toEqual(['First of two']);
  });

  it('keeps the problems of a file in position order, the duplicate id among them', async () => {
    const r = await validatePaths([join(DIR, 'duplicate-ids')], new FaultRegistry());
    const second = r.problems.filter((p) => p.file.endsWith('second.yml')).map((p) => `${p.line}:${p.path}`);
    expect(second).toEqual(['4:metadata.id', '10:spec.faults.0.type']);
  });

  it('checks every file of a directory and keeps going past bad ones', async () => {
    const r = await validatePaths([DIR], registry);
    const badFiles = new Set(r.problems.map((p) => relative(DIR, p.file)));
    expect([...badFiles].sort()).toEqual([
      'bad-duration.yaml',
      'bad-entity-id.yaml',
      'bad-params.yaml',
      'duplicate-ids/nested/second.yml',
      'duplicate-key.yaml',
      'missing-required.yaml',
      'syntax-error.yaml',
      'unknown-fault-type.yaml',
      'unknown-field.yaml',
      'unsupported-substrate.yaml',
      'wrong-api-version.yaml',
    ]);
    expect(r.scenarios.map((s) => s.metadata.id).sort()).toEqual([
      'cart-errors',
      'payment-latency',
      'same-id',
    ]);
  });

  it('reports an unreadable path and carries on', async () => {
    const tmp = await mkdtemp(join(tmpdir(), 'firedrill-val-'));
    try {
      await copyFile(join(DIR, 'minimal.yaml'), join(tmp, 'ok.yaml'));
      const r = await validatePaths([join(tmp, 'missing.yaml'), join(tmp, 'ok.yaml')], registry);
      expect(r.problems.map((p) => p.message)).toEqual(['cannot read: no such file or directory']);
      expect(r.scenarios).toHaveLength(1);
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  });
});
