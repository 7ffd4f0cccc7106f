import { loadScenarioText } from '../scenario/load-scenario.js';
import { testRegistry } from '../faults/testing/test-fault.js';
import { TEST_SCENARIO } from './testing/staged-world.js';
import type { GroundTruth } from '../bundle/ground-truth.js';
import { incidentFiredAlerts, isManifested, runChecks, type RunCheckInputs } from './run-checks.js';

const scenario = loadScenarioText(TEST_SCENARIO, 'staged.yaml', testRegistry());
const t0 = Date.parse('2025-01-01T00:00:10Z');

const truth: GroundTruth = {
  format: 1,
  scenarioId: 'staged',
  rootCauses: [
    {
      id: 'shop/Deployment/payment',
      aliases: ['shop/Service/payment'],
      propagation: [
        { symptom: 'shop/Service/payment', alerts: ['TestHighLatency'], reached: true, path: [] },
      ],
    },
  ],
  faults: [],
  injectedAt: null,
  manifestedAt: null,
  expectedAlerts: ['TestHighLatency'],
  firedAlerts: ['TestHighLatency'],
};

function inputs(over: Partial<RunCheckInputs> = {}): RunCheckInputs {
  return {
    scenario,
    manifested: true,
    manifestedAt: t0 + 35_000,
    injectedAt: t0 + 5_000,
    t0,
    now: t0 + 40_000,
    firedAlerts: ['TestHighLatency'],
    alerts: { active: [], timeline: [] },
    leaks: [],
    truth,
    ...over,
  };
}

describe('runChecks', () => {
  it('passes a run whose expected alerts fired after the fault, with nothing leaked', () => {
    expect(runChecks(inputs())).toEqual({
      manifested: { ok: true, detail: 'expected alerts firing 30s after injection' },
      expectedAlertsFired: { ok: true, detail: 'TestHighLatency' },
      attributed: { ok: true, detail: 'shop/Deployment/payment → shop/Service/payment (0 hops)' },
      quietBaseline: { ok: true, detail: '' },
      leakFree: { ok: true, detail: '' },
    });
  });

  it("lets the cluster's own alerts fire before the fault, but not the ones the incident is judged by", () => {
    const firing = (alertname: string, start: string) => ({
      alertname,
      labels: {},
      state: 'firing' as const,
      start,
      end: null,
    });
    const noise = runChecks(
      inputs({ alerts: { active: [], timeline: [firing('ShopDependencyErrors', '2025-01-01T00:00:12Z')] } }),
    );
    expect(noise.quietBaseline).toEqual({
      ok: true,
      detail: 'before injection only other alerts fired (background): ShopDependencyErrors',
    });
    const early = runChecks(
      inputs({ alerts: { active: [], timeline: [firing('TestHighLatency', '2025-01-01T00:00:12Z')] } }),
    );
    expect(early.quietBaseline).toEqual({
      ok: false,
      detail: 'TestHighLatency firing at 2025-01-01T00:00:12Z before injection',
    });
  });

  it("does not count a background episode's alert before the fault as the incident's", () => {
    const firing = (start: string) => ({
      alertname: 'TestHighLatency',
      labels: {},
      state: 'firing' as const,
      start,
      end: null,
    });
    // t0 + 5 s is 00:00:15: the episode's alert fired at 00:00:12, the incident's at 00:00:40.
    const episodeOnly = { active: [], timeline: [firing('2025-01-01T00:00:12Z')] };
    const c = runChecks(inputs({ alerts: episodeOnly, backgroundAlerts: ['TestHighLatency'] }));
    expect(c.expectedAlertsFired).toEqual({ ok: false, detail: 'missing: TestHighLatency' });
    expect(c.quietBaseline.ok).toBe(true);
    const both = { active: [], timeline: [firing('2025-01-01T00:00:12Z'), firing('2025-01-01T00:00:40Z')] };
    expect(
      runChecks(inputs({ alerts: both, backgroundAlerts: ['TestHighLatency'] })).expectedAlertsFired.ok,
    ).toBe(true);
    // A name no background raises counts wherever it fired in the window, as before.
    expect(incidentFiredAlerts(['TestHighLatency'], episodeOnly, t0 + 5_000)).toEqual(['TestHighLatency']);
    expect(incidentFiredAlerts(['TestHighLatency'], episodeOnly, t0 + 5_000, ['TestHighLatency'])).toEqual(
      [],
    );
  });

  it('names what is missing, what fired before the fault and where the snapshot leaked', () => {
    const c = runChecks(
      inputs({
        manifested: false,
        manifestedAt: undefined,
        firedAlerts: [],
        alerts: {
          active: [],
          timeline: [
            {
              alertname: 'TestHighLatency',
              labels: {},
              state: 'firing',
              start: '2025-01-01T00:00:12Z',
              end: null,
            },
            { alertname: 'Pending', labels: {}, state: 'pending', start: '2025-01-01T00:00:11Z', end: null },
          ],
        },
        leaks: [
          { file: 'snapshot/logs.ndjson', line: 3, term: 'staged-delay', message: 'names the scenario' },
        ],
      }),
    );
    expect(c.manifested).toEqual({ ok: false, detail: 'not firing before the 60s timeout: TestHighLatency' });
    expect(c.expectedAlertsFired).toEqual({ ok: false, detail: 'missing: TestHighLatency' });
    expect(c.quietBaseline).toEqual({
      ok: false,
      detail: 'TestHighLatency firing at 2025-01-01T00:00:12Z before injection',
    });
    expect(c.leakFree).toEqual({ ok: false, detail: 'snapshot/logs.ndjson:3: "staged-delay"' });
  });
});

describe('isManifested', () => {
  it('is the awaited alert firing, or for a scenario awaiting nothing every expected alert in the window', () => {
    expect(isManifested(scenario, t0, [])).toBe(true);
    expect(isManifested(scenario, undefined, ['TestHighLatency'])).toBe(false);
    const waitsForNothing = {
      ...scenario,
      spec: {
        ...scenario.spec,
        observe: { ...scenario.spec.observe, until: { alerts: [], mode: 'any' as const } },
      },
    };
    expect(isManifested(waitsForNothing, undefined, ['TestHighLatency'])).toBe(true);
    expect(isManifested(waitsForNothing, undefined, [])).toBe(false);
  });
});
