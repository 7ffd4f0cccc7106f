import { MemoryObjects } from '../faults/testing/fake-target.js';
import { testRegistry, type TestFaultJournal } from '../faults/testing/test-fault.js';
import { loadScenarioText } from '../scenario/load-scenario.js';
import { Preconditions } from './preconditions.js';
import { readyDeployment, TEST_SCENARIO } from './testing/staged-world.js';

const MARK = 'test.firedrill.dev/delay-ms';

describe('Preconditions', () => {
  const journal: TestFaultJournal = { entries: [] };
  const registry = testRegistry(journal);
  const scenario = (items: string) =>
    loadScenarioText(
      items ? TEST_SCENARIO.replace('  observe:', `  preconditions:\n${items}  observe:`) : TEST_SCENARIO,
      's.yaml',
      registry,
    );

  it('has no edit for a scenario without preconditions', () => {
    expect(new Preconditions(scenario(''), registry).edit()).toBeUndefined();
  });

  it("edits the manifests in order, then puts back the manifests' own version of what it changed, once", async () => {
    const p = new Preconditions(
      scenario(
        '    - {type: test-delay, target: shop/Deployment/frontend, params: {delayMs: 100}}\n' +
          '    - {type: test-delay, target: shop/Deployment/frontend, params: {delayMs: 200}}\n',
      ),
      registry,
    );
    const manifests = [readyDeployment('shop', 'frontend'), readyDeployment('shop', 'payment')];
    p.edit()?.(manifests);
    expect(manifests[0].metadata.annotations?.[MARK]).toBe('200');
    expect(manifests[1].metadata.annotations).toBeUndefined();
    const live = new MemoryObjects(manifests);
    await p.restore(live);
    await p.restore(live);
    // Only the changed object is applied back, as the manifests had it; the other is left alone.
    expect(live.calls).toEqual(['apply shop/Deployment/frontend']);
    expect((await live.get('Deployment', 'shop', 'frontend'))?.metadata.annotations).toBeUndefined();
  });
});
