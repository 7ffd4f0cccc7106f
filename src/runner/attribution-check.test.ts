import type { GroundTruth, RootCauseRecord } from '../bundle/ground-truth.js';
import { attributionCheck } from './attribution-check.js';

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
});
