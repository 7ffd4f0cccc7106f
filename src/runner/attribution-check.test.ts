import type { GroundTruth, RootCauseRecord } from '../bundle/ground-truth.js';
import { defaultCatalog } from '../faults/catalog.js';
import { loadScenarioText } from '../scenario/load-scenario.js';
import { attributionCheck, expectedAlertsByCause } from './attribution-check.js';

function truth(...rootCauses: RootCauseRecord[]): GroundTruth {
  return {
    format: 1,
    scenarioId: 's',
    rootCauses,
    faults: [],
    injectedAt: null,
    manifestedAt: null,
    expectedAlerts: [],
    firedAlerts: [],
  };
}

const hop = (from: string, to: string, edge: string) => ({ from, to, edge, effects: [] });

describe('attributionCheck', () => {
  it('passes when the cause reaches an entity where an expected alert fired, and names the path', () => {
    const t = truth({
      id: 'shop/Deployment/redis',
      aliases: [],
      propagation: [
        {
          symptom: 'shop/Service/checkout',
          alerts: ['ShopDependencyErrors'],
          reached: true,
          path: [
            hop('shop/Deployment/redis', 'shop/Service/redis', 'selected-by'),
            hop('shop/Service/redis', 'shop/Deployment/cart', 'called-by'),
          ],
        },
      ],
    });
    expect(attributionCheck(t, ['ShopDependencyErrors'])).toEqual({
      ok: true,
      detail: 'shop/Deployment/redis → shop/Service/checkout (2 hops)',
    });
  });

  it('refuses a run whose expected alert fired only where the cause does not reach (a same-named blip elsewhere)', () => {
    // An error share on a consumer that serves no HTTP does nothing; the frontend's own blip fired the name.
    const t = truth({
      id: 'shop/Deployment/accounting',
      aliases: ['shop/Service/accounting'],
      propagation: [
        { symptom: 'shop/Service/frontend', alerts: ['ShopHighErrorRate'], reached: false, path: [] },
        { symptom: 'shop/Service/accounting', alerts: ['ShopTargetDown'], reached: true, path: [] },
      ],
    });
    expect(attributionCheck(t, ['ShopHighErrorRate'])).toEqual({
      ok: false,
      detail:
        'shop/Deployment/accounting reaches no entity where ShopHighErrorRate fired; it fired elsewhere: ShopHighErrorRate at shop/Service/frontend',
    });
  });

  it('judges every root cause: one that explains nothing fails the run even when the other does', () => {
    const ok: RootCauseRecord = {
      id: 'shop/Deployment/payment',
      aliases: [],
      propagation: [
        { symptom: 'shop/Service/payment', alerts: ['ShopHighErrorRate'], reached: true, path: [] },
      ],
    };
    const idle: RootCauseRecord = { id: 'shop/Deployment/noisy', aliases: [], propagation: [] };
    const c = attributionCheck(truth(ok, idle), ['ShopHighErrorRate', 'ShopContainerCPUNearLimit']);
    expect(c.ok).toBe(false);
    expect(c.detail).toBe(
      'shop/Deployment/noisy reaches no entity where ShopHighErrorRate, ShopContainerCPUNearLimit fired',
    );
  });

  it('does not judge a Node cause (pods left Pending have no edge back to it) or a task expecting no alert', () => {
    const node: RootCauseRecord = {
      id: 'Node/worker',
      aliases: [],
      propagation: [{ symptom: 'shop/Pod/a-1', alerts: ['KubePodPending'], reached: false, path: [] }],
    };
    expect(attributionCheck(truth(node), ['KubePodPending']).ok).toBe(true);
    expect(attributionCheck(truth(node), ['KubePodPending']).detail).toMatch(/^not judged/);
    expect(attributionCheck(truth({ id: 'shop/Deployment/x', aliases: [] }), [])).toEqual({
      ok: true,
      detail: 'not judged: no expected alerts',
    });
  });

  it("judges each cause of a two-cause task by its own fault's alerts, not by the other cause's", () => {
    const scenario = loadScenarioText(
      `apiVersion: firedrill/v1
kind: Scenario
metadata: { id: two, title: two }
spec:
  app: shop
  faults:
    - { type: cpu-stress, target: shop/Deployment/fulfillment, params: { workers: 1, load: 95 } }
    - { type: memory-limit, target: shop/Deployment/shipping, params: { limit: 40Mi } }
  observe: { timeout: 4m }
`,
      'two.yaml',
      defaultCatalog(),
    );
    const expectedFor = expectedAlertsByCause(scenario);
    expect(expectedFor('shop/Deployment/fulfillment')).toEqual(['ShopContainerCPUNearLimit']);
    expect(expectedFor('shop/deploy/fulfillment')).toEqual(['ShopContainerCPUNearLimit']);
    // a cause no fault declares (a groundTruth override) answers for every expected alert
    expect(expectedFor('shop/ConfigMap/shipping-config')).toEqual(scenario.spec.expect.alerts);
    expect(expectedFor('shop/Deployment/shipping')).not.toContain('ShopContainerCPUNearLimit');
    // shipping's limit did nothing; the fulfillment pod's CPU alert is reachable from it (5 hops) but
    // is not shipping's to answer for.
    const cpu = { symptom: 'shop/Pod/fulfillment-1', alerts: ['ShopContainerCPUNearLimit'], reached: true };
    const t = truth(
      { id: 'shop/Deployment/fulfillment', aliases: [], propagation: [{ ...cpu, path: [] }] },
      {
        id: 'shop/Deployment/shipping',
        aliases: [],
        propagation: [{ ...cpu, path: [hop('shop/Deployment/shipping', 'shop/Pod/fulfillment-1', 'x')] }],
      },
    );
    const c = attributionCheck(t, scenario.spec.expect.alerts, expectedFor);
    expect(c.ok).toBe(false);
    expect(c.detail).toMatch(/^shop\/Deployment\/shipping reaches no entity where /);
    expect(attributionCheck(t, scenario.spec.expect.alerts).ok).toBe(true);
  });
});
