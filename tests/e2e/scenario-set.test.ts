import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadScenarioFile } from '../../src/scenario/load-scenario.js';
import { SHOP_SCENARIOS, shippedScenarioIds } from './scenario-set.js';

/**
 * The nightly reproduce suite (make test-reproduce-all) must re-stage every shipped scenario that runs on
 * the local substrate, including those that leave `spec.substrates` out and so run wherever their faults
 * can (the loader fills it in).
 */
describe('shippedScenarioIds', () => {
  it('lists every shipped scenario that runs on the substrate, declared or not', async () => {
    const want: string[] = [];
    let undeclared = 0;
    for (const f of readdirSync(SHOP_SCENARIOS).filter((x) => x.endsWith('.yaml'))) {
      const s = await loadScenarioFile(join(SHOP_SCENARIOS, f));
      if (!s.spec.substrates.includes('local')) continue;
      want.push(s.metadata.id);
      if (!/^\s+substrates:/m.test(s.sourceText)) undeclared++;
    }
    // the shipped set has scenarios of both kinds, so the test means something
    expect(undeclared).toBeGreaterThan(0);
    expect(await shippedScenarioIds('local')).toEqual(want.sort());
  });
});
