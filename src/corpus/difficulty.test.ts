import type { GroundTruth } from '../bundle/ground-truth.js';
import type { AlertsFile } from '../bundle/records.js';
import { difficultyOf } from './difficulty.js';

const truth: GroundTruth = {
  format: 1,
  scenarioId: 's',
  rootCauses: [
    {
      id: 'shop/Secret/redis-auth',
      aliases: [],
      propagation: [
        {
          symptom: 'shop/Service/frontend',
          alerts: ['ShopHighErrorRate'],
          reached: true,
          path: [
            { from: 'shop/Secret/redis-auth', to: 'shop/Pod/cart-a', edge: 'used-by', effects: [] },
            { from: 'shop/Pod/cart-a', to: 'shop/Service/cart', edge: 'selected-by', effects: [] },
            { from: 'shop/Service/cart', to: 'shop/Deployment/frontend', edge: 'called-by', effects: [] },
            { from: 'shop/Deployment/frontend', to: 'shop/Service/frontend', edge: 'routes-to', effects: [] },
          ],
        },
      ],
    },
  ],
  faults: [],
  injectedAt: null,
  manifestedAt: null,
  expectedAlerts: [],
  firedAlerts: [],
};

const alerts = (first: string): AlertsFile => ({
  active: [],
  timeline: [
    {
      alertname: 'A',
      labels: { namespace: 'shop', service: 'cart' },
      state: 'pending',
      start: '2025-01-01T00:00:00Z',
      end: null,
    },
    {
      alertname: 'B',
      labels: { namespace: 'shop', service: first },
      state: 'firing',
      start: '2025-01-01T00:00:10Z',
      end: null,
    },
    {
      alertname: 'C',
      labels: { namespace: 'shop', service: 'cart' },
      state: 'firing',
      start: '2025-01-01T00:00:20Z',
      end: null,
    },
  ],
});

describe('difficultyOf', () => {
  it('is hard when the first alert is hops from the cause and the reference agent misses it', () => {
    expect(difficultyOf(truth, alerts('frontend'), ['shop/Deployment/cart'])).toEqual({
      referenceAp: 0,
      referenceAnswer: ['shop/Deployment/cart'],
      firstAlertNamesCause: false,
      alertingEntities: 2,
      hopsToFirstAlert: 4,
      tier: 'hard',
    });
  });

  it('is moderate when the reference agent finds it, trivial when the first alert names it', () => {
    expect(difficultyOf(truth, alerts('frontend'), ['shop/Secret/redis-auth']).tier).toBe('moderate');
    const onCause: GroundTruth = {
      ...truth,
      rootCauses: [{ id: 'shop/Deployment/frontend', aliases: ['shop/Service/frontend'] }],
    };
    const d = difficultyOf(onCause, alerts('frontend'), null);
    expect(d).toMatchObject({
      tier: 'trivial',
      firstAlertNamesCause: true,
      hopsToFirstAlert: 0,
      referenceAp: null,
    });
  });
});
