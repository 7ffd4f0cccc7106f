import { FaultRegistry } from '../faults/fault-registry.js';
import { testDelayFault, testErrorFault } from '../faults/testing/test-fault.js';
import { loadScenarioText } from '../scenario/load-scenario.js';
import { TEST_SCENARIO } from './testing/staged-world.js';
import { leakTerms } from './leak-terms.js';

describe('leakTerms', () => {
  // A type that leaves a marker of its own, as a setting key would, and can be a precondition.
  const marked = {
    ...testErrorFault(),
    asDeployed: () => undefined,
    leakTerms: () => ['marker-of-the-testbed'],
  };
  const registry = new FaultRegistry([testDelayFault(), marked]);

  it("names the scenario, every type id, and what each fault's and precondition's type says would name it", () => {
    const plain = loadScenarioText(TEST_SCENARIO, 's.yaml', registry);
    expect(leakTerms(plain, registry).sort()).toEqual([
      'Staged delay',
      'staged-delay',
      'test-delay',
      'test-errors',
    ]);
    const withPrecondition = loadScenarioText(
      TEST_SCENARIO.replace(
        '  observe:',
        '  preconditions:\n    - {type: test-errors, target: shop/Deployment/frontend, params: {rate: 0.1}}\n  observe:',
      ),
      's.yaml',
      registry,
    );
    expect(leakTerms(withPrecondition, registry)).toContain('marker-of-the-testbed');
  });
});
