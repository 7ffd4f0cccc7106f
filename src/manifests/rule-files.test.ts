import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRuleFiles, rulesConfigMap } from './rule-files.js';

describe('rule files', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'firedrill-rules-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('lists *.rules.yaml/yml files sorted, ignoring tests and other YAML', async () => {
    await writeFile(join(dir, 'shop.rules.yaml'), 'groups: []\n');
    await writeFile(join(dir, 'kubernetes.rules.yml'), 'groups: []\n');
    await writeFile(join(dir, 'notes.yaml'), 'x: 1\n');
    await mkdir(join(dir, 'tests'));
    await writeFile(join(dir, 'tests', 'shop.rules.yaml'), 'groups: []\n');
    expect(await loadRuleFiles(dir)).toEqual([
      join(dir, 'kubernetes.rules.yml'),
      join(dir, 'shop.rules.yaml'),
    ]);
  });

  it('wraps rule files unchanged in a ConfigMap keyed by file name', async () => {
    await writeFile(join(dir, 'a.rules.yaml'), 'groups:\n  - name: a\n    rules: []\n');
    const cm = await rulesConfigMap(await loadRuleFiles(dir), {
      name: 'prometheus-rules',
      namespace: 'observability',
    });
    expect(cm).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'prometheus-rules', namespace: 'observability' },
      data: { 'a.rules.yaml': 'groups:\n  - name: a\n    rules: []\n' },
    });
  });
});
