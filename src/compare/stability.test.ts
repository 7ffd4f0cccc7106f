import {
  dependencyAlertExplained,
  alertKey,
  firingAlertKeys,
  incidentAlertKeys,
  jaccard,
  stabilityChecks,
  unexplainedAlerts,
  type StabilityInput,
} from './stability.js';
import { timelineSpell } from './testing/timeline-spell.js';

const input = (
  repeat: number,
  firingAlerts: string[],
  rootCauseIds = ['shop/Deployment/payment'],
  extra: Partial<StabilityInput> = {},
): StabilityInput => ({
  bundleId: `b${repeat}${extra.substrate ?? ''}`,
  scenarioId: 'payment-slow',
  substrate: 'local',
  repeat,
  firingAlerts,
  rootCauseIds,
  ...extra,
});

describe('jaccard', () => {
  it('is |A∩B| / |A∪B|, and 1 for two empty sets', () => {
    expect(jaccard(['a', 'b'], ['b', 'c'])).toBeCloseTo(1 / 3);
    expect(jaccard(['a'], ['a'])).toBe(1);
    expect(jaccard([], [])).toBe(1);
    expect(jaccard(['a'], [])).toBe(0);
  });
});

describe('alertKey / firingAlertKeys', () => {
  it('names the workload, reducing pod names so repeats with fresh pods agree', () => {
    expect(alertKey('KubePodCrashLooping', { namespace: 'shop', pod: 'cart-7d4b9c6f5d-x2x9k' })).toBe(
      'KubePodCrashLooping@shop/cart',
    );
    expect(alertKey('KubePodCrashLooping', { namespace: 'shop', pod: 'cart-0' })).toBe(
      'KubePodCrashLooping@shop/cart',
    );
    expect(alertKey('ShopHighLatencyP95', { namespace: 'shop', service: 'payment' })).toBe(
      'ShopHighLatencyP95@shop/payment',
    );
    expect(alertKey('Watchdog', {})).toBe('Watchdog');
  });

  it('takes firing alerts from the timeline and the active list, not pending ones', () => {
    const keys = firingAlertKeys({
      active: [
        {
          alertname: 'A',
          state: 'firing',
          labels: { namespace: 'shop', service: 'x' },
          annotations: {},
          activeAt: '',
        },
        {
          alertname: 'B',
          state: 'pending',
          labels: { namespace: 'shop', service: 'x' },
          annotations: {},
          activeAt: '',
        },
      ],
      timeline: [
        { alertname: 'C', labels: { namespace: 'shop', service: 'y' }, state: 'firing', start: '', end: '' },
        {
          alertname: 'D',
          labels: { namespace: 'shop', service: 'y' },
          state: 'pending',
          start: '',
          end: null,
        },
      ],
    });
    expect(keys).toEqual(['A@shop/x', 'C@shop/y']);
  });

  it('with a cut-off, keeps only what started firing by then (the drawn extra tail does not count)', () => {
    const timeline = [
      {
        alertname: 'Early',
        labels: { namespace: 'shop', service: 'x' },
        state: 'firing' as const,
        start: '2025-01-01T00:00:10Z',
        end: null,
      },
      {
        alertname: 'Late',
        labels: { namespace: 'shop', service: 'y' },
        state: 'firing' as const,
        start: '2025-01-01T00:01:10Z',
        end: null,
      },
    ];
    const active = [
      {
        alertname: 'Late',
        state: 'firing' as const,
        labels: { namespace: 'shop', service: 'y' },
        annotations: {},
        activeAt: '',
      },
    ];
    expect(firingAlertKeys({ active, timeline }, '2025-01-01T00:01:00Z')).toEqual(['Early@shop/x']);
    expect(firingAlertKeys({ active, timeline }, null)).toEqual(['Early@shop/x', 'Late@shop/y']);
  });

  it('leaves out what started firing before the first fault: background of that run, whatever it names', () => {
    const at = (m: number): string => `2025-01-01T00:0${m}:00Z`;
    const timeline = [
      {
        alertname: 'Before',
        labels: { namespace: 'shop', service: 'x' },
        state: 'firing' as const,
        start: at(0),
        end: null,
      },
      {
        alertname: 'Again',
        labels: { namespace: 'shop', service: 'y' },
        state: 'firing' as const,
        start: at(0),
        end: at(1),
      },
      {
        alertname: 'Again',
        labels: { namespace: 'shop', service: 'y' },
        state: 'firing' as const,
        start: at(3),
        end: null,
      },
      {
        alertname: 'After',
        labels: { namespace: 'shop', service: 'z' },
        state: 'firing' as const,
        start: at(2),
        end: null,
      },
    ];
    expect(firingAlertKeys({ active: [], timeline }, at(4), at(2))).toEqual(['After@shop/z', 'Again@shop/y']);
    expect(incidentAlertKeys({ active: [], timeline }, [], at(4), new Set(), at(2))).toEqual([
      'After@shop/z',
      'Again@shop/y',
    ]);
    expect(firingAlertKeys({ active: [], timeline }, at(4))).toHaveLength(3);
  });

  it('judges an alert by when its condition began: pending before the first fault is background', () => {
    const T0 = Date.UTC(2025, 0, 1, 0, 1, 0);
    const t = (s: number): string => new Date(T0 + s * 1000).toISOString();
    const entry = (service: string, state: 'pending' | 'firing', start: number, end: number | null) =>
      timelineSpell(
        'ShopHighLatencyP95',
        { namespace: 'shop', service },
        state,
        T0 + start * 1000,
        end === null ? null : T0 + end * 1000,
      );
    const timeline = [
      // pending 8 s before the fault (at 0), last seen pending at 17 s, firing from 22 s
      entry('checkout', 'pending', -8, 17),
      entry('checkout', 'firing', 22, null),
      // pending from 5 s after the fault: the incident's
      entry('currency', 'pending', 5, 30),
      entry('currency', 'firing', 35, null),
      // an earlier pending spell that ended long before it fired does not count
      entry('frontend', 'pending', -40, -30),
      entry('frontend', 'firing', 40, null),
    ];
    expect(firingAlertKeys({ active: [], timeline }, t(100), t(0))).toEqual([
      'ShopHighLatencyP95@shop/currency',
      'ShopHighLatencyP95@shop/frontend',
    ]);
  });
});

describe('unexplainedAlerts / incidentAlertKeys', () => {
  const fired = (alertname: string, service: string) => ({
    alertname,
    labels: { namespace: 'shop', service },
    state: 'firing' as const,
    start: '2025-01-01T00:00:10Z',
    end: null,
  });
  // fulfillment's consumer stalls; a background rollout of checkout raises a latency alert there.
  const cause = {
    propagation: [
      { symptom: 'shop/Service/fulfillment', alerts: ['ShopQueueBacklogAging'], reached: true },
      {
        symptom: 'shop/Service/checkout',
        alerts: ['ShopHighLatencyP95', 'ShopQueueBacklogAging'],
        reached: false,
      },
    ],
  };
  const alerts = {
    active: [],
    timeline: [
      fired('ShopQueueBacklogAging', 'fulfillment'),
      fired('ShopHighLatencyP95', 'checkout'),
      fired('ShopQueueBacklogAging', 'checkout'),
    ],
  };

  it('leaves out the alerts no root cause reaches, but never one the scenario expects', () => {
    const unexplained = unexplainedAlerts([cause], ['ShopQueueBacklogAging']);
    expect([...unexplained]).toEqual(['shop/Service/checkout\nShopHighLatencyP95']);
    expect(incidentAlertKeys(alerts, ['ShopCacheHitRatioLow'], null, unexplained)).toEqual([
      'ShopQueueBacklogAging@shop/checkout',
      'ShopQueueBacklogAging@shop/fulfillment',
    ]);
    // Without the set (or its truth), every firing alert counts, as before.
    expect(incidentAlertKeys(alerts, [], null)).toHaveLength(3);
  });

  it('keeps an alert that any root cause reaches, and judges nothing when a cause has no propagation', () => {
    const other = {
      propagation: [{ symptom: 'shop/Service/checkout', alerts: ['ShopHighLatencyP95'], reached: true }],
    };
    expect([...unexplainedAlerts([cause, other], ['ShopQueueBacklogAging'])]).toEqual([]);
    expect([...unexplainedAlerts([cause, {}])]).toEqual([]);
    expect([...unexplainedAlerts([])]).toEqual([]);
  });
});

describe('stabilityChecks', () => {
  const five = ['a', 'b', 'c', 'd', 'e'];

  it('passes repeats whose firing alerts agree above the threshold', () => {
    // 5 of 6 in common: Jaccard 0.83
    const r = stabilityChecks([input(0, five), input(1, [...five, 'f'])], 0.8);
    expect(r.get('b0')).toEqual({ ok: true, detail: expect.stringMatching(/min pairwise Jaccard 0\.83/) });
    expect(r.get('b1')?.ok).toBe(true);
  });

  it('fails every repeat of a scenario when one pair agrees below the threshold', () => {
    // b2 shares 4 of 6 with b0: Jaccard 0.67
    const r = stabilityChecks([input(0, five), input(1, five), input(2, ['a', 'b', 'c', 'd', 'x'])], 0.8);
    for (const id of ['b0', 'b1', 'b2']) expect(r.get(id)?.ok).toBe(false);
    expect(r.get('b0')?.detail).toMatch(/Jaccard 0\.67 < 0\.8 \(r0 only: e; r2 only: x\)/);
    // a lower threshold accepts the same corpus
    expect(stabilityChecks([input(0, five), input(2, ['a', 'b', 'c', 'd', 'x'])], 0.6).get('b0')?.ok).toBe(
      true,
    );
  });

  it('counts an alert as shared when the other repeat shows it at an edge, not when never', () => {
    // r1 fired the caller's alert 4 s before its cut; r0 had it pending at its own: the same incident
    const late = { ...input(0, ['a', 'b']), borderline: ['c'] };
    const r = stabilityChecks([late, input(1, ['a', 'b', 'c'])], 0.8);
    expect(r.get('b0')).toEqual({ ok: true, detail: expect.stringMatching(/min pairwise Jaccard 1\.00/) });
    // without the late alert the pair differs, and says which alert only one run has
    const never = stabilityChecks([input(0, ['a', 'b']), input(1, ['a', 'b', 'c'])], 0.8);
    expect(never.get('b0')?.detail).toMatch(/Jaccard 0\.67 < 0\.8 \(r0 only: -; r1 only: c\)/);
    // an alert at its own edge is no alert of the run: it cannot make a pair differ
    const own = stabilityChecks([{ ...input(0, ['a', 'b']), borderline: ['z'] }, input(1, ['a', 'b'])]);
    expect(own.get('b0')?.ok).toBe(true);
    // edges on both sides, and one alert only one run ever raised still fails the pair
    const both = stabilityChecks([
      { ...input(0, ['a', 'b', 'x']), borderline: ['c'] },
      { ...input(1, ['a', 'c', 'y']), borderline: ['b'] },
    ]);
    expect(both.get('b0')?.detail).toMatch(/Jaccard 0\.60 < 0\.8 \(r0 only: x; r1 only: y\)/);
  });

  it('fails when the ground truth differs between repeats, even with identical alerts', () => {
    const r = stabilityChecks([input(0, five), input(1, five, ['shop/Deployment/cart'])]);
    expect(r.get('b0')?.ok).toBe(false);
    expect(r.get('b1')?.detail).toMatch(
      /ground truth differs: r0 \[shop\/Deployment\/payment\] vs r1 \[shop\/Deployment\/cart\]/,
    );
  });

  it('does not judge a single repeat, and keeps substrates apart', () => {
    const r = stabilityChecks([input(0, five), input(1, ['zzz'], undefined, { substrate: 'kind' })]);
    expect(r.get('b0')).toEqual({ ok: true, detail: 'one repeat: stability not assessed' });
    expect(r.get('b1kind')?.ok).toBe(true);
  });
});

describe('dependencyAlertExplained', () => {
  const causes = [
    {
      id: 'shop/Deployment/payment',
      aliases: ['shop/Service/payment'],
      propagation: [
        { symptom: 'shop/Deployment/checkout', alerts: ['ShopHighLatencyP95'], reached: true },
        { symptom: 'shop/Pod/frontend-5d6c6f644-x7k2p', alerts: ['ShopDependencyErrors'], reached: true },
      ],
    },
  ];
  const dep = (service: string, dependency: string) => ({ namespace: 'shop', service, dependency });

  it('keeps a dependency alert on an edge the incident reaches, or whose caller is a cause', () => {
    const explained = dependencyAlertExplained(causes);
    expect(explained(dep('checkout', 'payment'))).toBe(true);
    expect(explained(dep('frontend', 'checkout'))).toBe(true);
    expect(explained(dep('payment', 'postgres'))).toBe(true);
    expect(explained({ namespace: 'shop', service: 'frontend' })).toBe(true);
  });

  it('leaves out errors calling a Service the incident never reached, though the caller is reached', () => {
    expect(dependencyAlertExplained(causes)(dep('frontend', 'catalog'))).toBe(false);
  });

  it('keeps everything when the truth has no propagation (older bundles)', () => {
    expect(dependencyAlertExplained([{ id: 'shop/Deployment/payment' }])(dep('frontend', 'catalog'))).toBe(
      true,
    );
  });
});
