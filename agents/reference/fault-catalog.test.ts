import { analyzeSnapshot } from './run-agent.js';
import { addBackground } from './testing/background.js';
import { F, FAULT_CASES } from './testing/fault-cases.js';
import { SHOP_SERVICES, SyntheticShop } from './testing/synthetic-shop.js';

/** The first `n` answers, where n is the number of root causes: all of them must be there. */
function topN(entities: string[], n: number): string[] {
  return [...entities.slice(0, n)].sort();
}

describe('every fault type of the catalog, staged on a synthetic shop', () => {
  it.each(FAULT_CASES.map((c) => [c.name, c] as const))('%s: names the ground truth first', (_name, c) => {
    const shop = new SyntheticShop();
    c.stage(shop);
    const { answer } = analyzeSnapshot(shop.build());
    expect(topN(answer.entities, c.truth.length)).toEqual([...c.truth].sort());
  });

  it.each(FAULT_CASES.map((c) => [c.name, c] as const))(
    '%s: still first with background activity',
    (_name, c) => {
      const shop = new SyntheticShop();
      addBackground(shop, { avoid: c.truth.map((t) => t.split('/').pop() ?? '') });
      c.stage(shop);
      const { answer } = analyzeSnapshot(shop.build());
      expect(topN(answer.entities, c.truth.length)).toEqual([...c.truth].sort());
    },
  );

  it.each(FAULT_CASES.map((c) => [c.name, c] as const))(
    '%s: still first when the background lands on the workloads it breaks',
    (_name, c) => {
      const shop = new SyntheticShop();
      const hit = new Set(c.truth.map((t) => t.split('/').pop() ?? ''));
      addBackground(shop, { at: F - 8, avoid: SHOP_SERVICES.filter((s) => !hit.has(s) && s !== 'currency') });
      c.stage(shop);
      const { answer } = analyzeSnapshot(shop.build());
      expect(topN(answer.entities, c.truth.length)).toEqual([...c.truth].sort());
    },
  );
});

describe('distractors and several causes', () => {
  it('prefers the Service that explains the failing calls over a fresh harmless CPU-limit rollout', () => {
    const shop = new SyntheticShop();
    shop.rollout('shipping', F - 15, (t) => {
      const lim = t.spec?.containers?.[0].resources?.limits;
      if (lim) lim.cpu = '400m';
    });
    (
      shop.get('shop/Service/payment').spec as { ports: Array<{ targetPort: number | string }> }
    ).ports[0].targetPort = 8081;
    shop.breakCalls('payment', F, 'ECONNREFUSED');
    const { answer } = analyzeSnapshot(shop.build());
    expect(answer.entities[0]).toBe('shop/Service/payment');
    expect(answer.entities.indexOf('shop/Deployment/shipping')).toBe(-1);
  });

  it('prefers the failing service over a debug-logging rollout twenty seconds before it', () => {
    const shop = new SyntheticShop();
    shop.rollout('shipping', F - 20, (t) => {
      const env = t.spec?.containers?.[0].env?.find((e) => e.name === 'LOG_LEVEL');
      if (env) env.value = 'debug';
    });
    shop.failRequests('catalog', F, 0.5, 503);
    const { answer } = analyzeSnapshot(shop.build());
    expect(answer.entities[0]).toBe('shop/Deployment/catalog');
  });

  it('names two independent causes in the first two places', () => {
    const shop = new SyntheticShop();
    shop.failRequests('catalog', F, 0.5, 503);
    const { pods } = shop.rollout(
      'payment',
      F + 10,
      (t) => {
        const lim = t.spec?.containers?.[0].resources?.limits;
        if (lim) lim.memory = '32Mi';
      },
      { stall: true },
    );
    for (const p of pods) {
      shop.podState(p.name, F + 12, { ready: false, restartsPerMinute: 3, lastTerminated: 'OOMKilled' });
      shop.event(
        F + 15,
        'Warning',
        'BackOff',
        'Pod',
        p.name,
        `Back-off restarting failed container payment in pod ${p.name}_shop`,
        4,
        F + 100,
      );
    }
    const { answer } = analyzeSnapshot(shop.build());
    expect(topN(answer.entities, 2)).toEqual(['shop/Deployment/catalog', 'shop/Deployment/payment']);
  });

  it('gives nothing a strong score when only background activity happened', () => {
    const shop = new SyntheticShop();
    addBackground(shop);
    const { ranking } = analyzeSnapshot(shop.build());
    expect(Math.max(0, ...ranking.candidates.map((c) => c.score))).toBeLessThan(0.3);
  });
});
