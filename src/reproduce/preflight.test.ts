import { INCIDENT_SCENARIO_TEXT } from '../bundle/testing/incident-bundle.js';
import { planRun } from '../runner/run-plan.js';
import { loadScenarioText } from '../scenario/load-scenario.js';
import { scenarioHash } from '../scenario/scenario-hash.js';
import { localRegistration } from '../substrates/local/registration.js';
import { preflightDrift, type PreflightInputs } from './preflight.js';

const SECRET = 'ef'.repeat(32);
const scenario = loadScenarioText(INCIDENT_SCENARIO_TEXT, 'scenario.yaml');
const plan = planRun({ secret: SECRET, scenario, seed: 42, repeat: 0, provides: localRegistration.provides });
const env = { firedrill: '0.1.0', node: 'v20.20.2', tools: { prometheus: { version: '2.42.0+ds' } } };

const inputs = (o: Partial<PreflightInputs> = {}): PreflightInputs => ({
  recorded: { environment: env, scenarioHash: scenarioHash(scenario) },
  recipe: {
    scenarioId: 'payment-latency',
    seed: 42,
    repeat: 0,
    substrate: 'local',
    secret: SECRET,
    warmupMs: plan.warmupMs,
    leadMs: plan.leadMs,
    tailMs: plan.tailMs,
    loadSeed: plan.loadSeed,
  },
  scenario,
  substrate: 'local',
  plan,
  // observation ended before the last planned actions: the record is a prefix of the plan
  recordedBackground: plan.background.slice(0, 1).map((a) => a.kind),
  current: env,
  ...o,
});

describe('preflightDrift', () => {
  it("draws the load generator's seed from the secret, not the scenario's public seed", () => {
    const again = planRun({
      secret: SECRET,
      scenario,
      seed: 42,
      repeat: 0,
      provides: localRegistration.provides,
    });
    const repeat1 = planRun({
      secret: SECRET,
      scenario,
      seed: 42,
      repeat: 1,
      provides: localRegistration.provides,
    });
    const otherSecret = planRun({ secret: 'ab'.repeat(32), scenario, seed: 42, repeat: 0, provides: [] });
    expect(again.loadSeed).toBe(plan.loadSeed);
    expect(new Set([plan.loadSeed, repeat1.loadSeed, otherSecret.loadSeed, 42]).size).toBe(4);
  });

  it('reports no load-seed drift for a bundle from before the seed was drawn', () => {
    const { loadSeed: _drawn, ...old } = inputs().recipe;
    expect(preflightDrift(inputs({ recipe: old }))).toEqual([]);
  });

  it('finds nothing when the machine and this version would run what was recorded', () => {
    expect(plan.background.length).toBeGreaterThan(0);
    expect(preflightDrift(inputs())).toEqual([]);
  });

  it('names another substrate, a scenario resolved differently, other offsets and another schedule', () => {
    const drift = preflightDrift(
      inputs({
        substrate: 'kind',
        recorded: { environment: env, scenarioHash: 'f'.repeat(64) },
        plan: { ...plan, leadMs: plan.leadMs + 1, loadSeed: plan.loadSeed + 1 },
        recordedBackground: ['job', ...plan.background.map((a) => a.kind)],
        current: { ...env, tools: { prometheus: { version: '2.53.0' } } },
      }),
    );
    expect(drift.map((d) => d.what)).toEqual([
      'tool prometheus',
      'substrate',
      'scenario (as resolved: fault defaults, expected alerts)',
      'window offsets drawn from the secret',
      "load generator's seed drawn from the secret",
      'background schedule drawn from the secret',
    ]);
    expect(drift[0]).toEqual({ what: 'tool prometheus', recorded: '2.42.0+ds', current: '2.53.0' });
  });
});
