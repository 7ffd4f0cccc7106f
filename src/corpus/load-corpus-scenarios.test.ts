import { join } from 'node:path';
import { ScenarioError } from '../errors/scenario-error.js';
import { loadCorpusScenarios } from './load-corpus-scenarios.js';

const FIXTURES = join(process.cwd(), 'tests', 'fixtures');

describe('loadCorpusScenarios', () => {
  it('skips scenarios that do not run on the substrate instead of refusing them', async () => {
    const r = await loadCorpusScenarios(
      [join(FIXTURES, 'corpus', 'scenarios'), join(FIXTURES, 'corpus', 'kind-only')],
      'local',
    );
    expect(r.runnable.map((s) => s.metadata.id).sort()).toEqual([
      'cart-slow',
      'catalog-errors',
      'payment-slow',
    ]);
    expect(r.skipped.map((s) => s.metadata.id)).toEqual(['payment-slow-kind']);
    const kind = await loadCorpusScenarios([join(FIXTURES, 'corpus', 'kind-only')], 'kind');
    expect(kind.runnable.map((s) => s.metadata.id)).toEqual(['payment-slow-kind']);
  });

  it('still refuses invalid scenario files', async () => {
    await expect(
      loadCorpusScenarios([join(FIXTURES, 'scenario', 'bad-params.yaml')], 'local'),
    ).rejects.toBeInstanceOf(ScenarioError);
  });
});
