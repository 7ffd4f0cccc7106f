import { testRegistry, type TestFaultJournal } from '../faults/testing/test-fault.js';
import { silentLogger } from '../logging/logger.js';
import { loadScenarioText } from '../scenario/load-scenario.js';
import { FaultSession } from './fault-session.js';
import { stagedWorld } from './testing/staged-world.js';

const TWO_FAULTS = `apiVersion: firedrill/v1
kind: Scenario
metadata: {id: two, title: Two faults}
spec:
  app: shop
  faults:
    - {type: test-delay, target: shop/Deployment/payment, params: {delayMs: 100}, duration: 10s}
    - {type: test-errors, target: shop/Deployment/cart, params: {rate: 0.5}, at: 5s}
`;

describe('FaultSession', () => {
  it('undoes faults whose duration passed, then the rest newest first, each exactly once', async () => {
    const journal: TestFaultJournal = { entries: [] };
    const registry = testRegistry(journal);
    const s = loadScenarioText(TWO_FAULTS, 'two.yaml', registry);
    const w = stagedWorld();
    const session = new FaultSession(
      registry,
      { substrate: w.substrate.name, target: w.substrate.faultTarget },
      silentLogger(),
      new AbortController().signal,
    );
    await session.inject(s.spec.faults[0], 1_000);
    await session.inject(s.spec.faults[1], 6_000);
    expect(session.firstInjectedAt()).toBe(1_000);
    session.expireDue(11_000);
    await session.recoverAll();
    await session.recoverAll();
    expect(journal.entries).toEqual([
      'inject test-delay shop/Deployment/payment 100ms',
      'inject test-errors shop/Deployment/cart 0.5',
      'undo test-delay shop/Deployment/payment',
      'undo test-errors shop/Deployment/cart',
    ]);
    expect(session.records().map((r) => [r.type, r.injectedAt, r.recoveredAt !== null])).toEqual([
      ['test-delay', new Date(1_000).toISOString(), true],
      ['test-errors', new Date(6_000).toISOString(), true],
    ]);
  });
});
