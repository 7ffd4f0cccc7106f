import { loadScenarioText } from '../scenario/load-scenario.js';
import { testRegistry } from '../faults/testing/test-fault.js';
import { TEST_SCENARIO } from '../runner/testing/staged-world.js';
import { assembleTruth } from './assemble-truth.js';

describe('assembleTruth', () => {
  const scenario = loadScenarioText(TEST_SCENARIO, 'staged.yaml', testRegistry());

  it('names the root cause with every alias the captured topology and evidence give it', () => {
    const truth = assembleTruth({
      scenario,
      alerts: { active: [], timeline: [] },
      events: [],
      spans: [],
      faults: [
        {
          type: 'test-delay',
          target: 'shop/Deployment/payment',
          params: { delayMs: 500 },
          injectedAt: '2025-01-01T00:00:15.000Z',
          recoveredAt: null,
        },
      ],
      topology: {
        entities: [
          { id: 'shop/Deployment/payment', kind: 'Deployment', name: 'payment' },
          { id: 'shop/ReplicaSet/payment-5d9f7c8b6d', kind: 'ReplicaSet', name: 'payment-5d9f7c8b6d' },
        ],
        edges: [
          { from: 'shop/Deployment/payment', to: 'shop/ReplicaSet/payment-5d9f7c8b6d', type: 'owns' },
          {
            from: 'shop/ReplicaSet/payment-5d9f7c8b6d',
            to: 'shop/Pod/payment-5d9f7c8b6d-x7k2p',
            type: 'owns',
          },
          { from: 'shop/Service/payment', to: 'shop/Pod/payment-5d9f7c8b6d-x7k2p', type: 'selects' },
        ],
      },
      // A pod of the window that is gone by capture time still names its Deployment.
      seenEntities: ['shop/Pod/payment-7b8c9d0e1f-q2w3e', 'shop/Pod/paymentx-7b8c9d0e1f-q2w3e'],
      injectedAt: Date.parse('2025-01-01T00:00:15Z'),
      manifestedAt: undefined,
      firedAlerts: ['TestHighLatency'],
    });
    expect(truth.rootCauses).toEqual([
      {
        propagation: [],
        id: 'shop/Deployment/payment',
        aliases: [
          'shop/Pod/payment-5d9f7c8b6d-x7k2p',
          'shop/Pod/payment-7b8c9d0e1f-q2w3e',
          'shop/ReplicaSet/payment-5d9f7c8b6d',
          'shop/Service/payment',
        ],
      },
    ]);
    expect(truth).toMatchObject({
      format: 1,
      scenarioId: 'staged-delay',
      injectedAt: '2025-01-01T00:00:15.000Z',
      manifestedAt: null,
      expectedAlerts: ['TestHighLatency'],
      firedAlerts: ['TestHighLatency'],
    });
  });
});
