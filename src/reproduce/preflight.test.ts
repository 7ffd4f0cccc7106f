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
  it('finds nothing when the machine and this version would run what was recorded', () => {
    expect(plan.background.length).toBeGreaterThan(0);
    expect(preflightDrift(inputs())).toEqual([]);
  });

  it('names another substrate, a scenario resolved differently, other offsets and another schedule', () => {
    const drift = preflightDrift(
      inputs({
        substrate: 'kind',
        recorded: { environment: env, scenarioHash: 'f'.repeat(64) },
        plan: { ...plan, leadMs: plan.leadMs + 1 },
        recordedBackground: ['job', ...plan.background.map((a) => a.kind)],
        current: { ...env, tools: { prometheus: { version: '2.53.0' } } },
      }),
    );
    expect(drift.map((d) => d.what)).toEqual([
      'tool prometheus',
      'substrate',
      'scenario (as resolved: fault defaults, expected alerts)',
      'window offsets drawn from the secret',
      'background schedule drawn from the secret',
    ]);
    expect(drift[0]).toEqual({ what: 'tool prometheus', recorded: '2.42.0+ds', current: '2.53.0' });
  });
});
