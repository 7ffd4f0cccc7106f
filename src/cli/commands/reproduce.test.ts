import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INCIDENT_SCENARIO_TEXT, writeIncidentBundle } from '../../bundle/testing/incident-bundle.js';
import { quietRunLog } from '../../corpus/testing/quiet-run-log.js';
import { ExitCode } from '../../errors/exit-codes.js';
import { exitCodeFor } from '../handle-error.js';
import { FakeSubstrate } from '../../platform/testing/fake-substrate.js';
import type { ReproduceResult } from '../../reproduce/reproduce.js';
import { planRun } from '../../runner/run-plan.js';
import type { RunOutcome, RunRequest } from '../../runner/run-request.js';
import { loadScenarioText } from '../../scenario/load-scenario.js';
import { scenarioHash } from '../../scenario/scenario-hash.js';
import { localRegistration } from '../../substrates/local/registration.js';
import { reproduceCommand, type ReproduceCliOptions } from './reproduce.js';

const SECRET = 'ab'.repeat(32);
const scenario = loadScenarioText(INCIDENT_SCENARIO_TEXT, 'scenario.yaml');
const plan = planRun({ secret: SECRET, scenario, seed: 42, repeat: 0, provides: localRegistration.provides });
const ENV = {
  substrate: 'local',
  firedrill: '0.1.0',
  node: 'v20.20.2',
  tools: { prometheus: { version: '2.42.0+ds' } },
  images: { 'shop/payment/payment': 'acme/shop:0.1.0' },
};

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'fd-reproduce-'));
});
afterEach(() => rm(root, { recursive: true, force: true }));

/** The original as the real runner would have written it: offsets and background as planned now. */
function original(extra: Parameters<typeof writeIncidentBundle>[1] = {}): Promise<string> {
  return writeIncidentBundle(join(root, 'orig'), {
    scenarioHash: scenarioHash(scenario),
    environment: ENV,
    recipe: { warmupMs: plan.warmupMs, leadMs: plan.leadMs, tailMs: plan.tailMs, secret: SECRET },
    backgroundKinds: plan.background.map((a) => a.kind),
    ...extra,
  });
}

/** Writes the incident the requested scenario's fault would cause, with fresh pod names. */
function fakeRun(): ((req: RunRequest) => Promise<RunOutcome>) & { requests: RunRequest[] } {
  const requests: RunRequest[] = [];
  const fn = async (req: RunRequest): Promise<RunOutcome> => {
    requests.push(req);
    const latency = req.scenario.spec.faults[0].type === 'app-latency';
    const bundleDir = await writeIncidentBundle(req.outDir, {
      bundleId: req.bundleId,
      fault: latency ? 'latency' : 'errors',
      podHash: `${requests.length}c8d9e0a1b`,
      manifestAfterMs: 80_000 + requests.length * 5_000,
      scenarioHash: scenarioHash(req.scenario),
      environment: ENV,
    });
    return { bundleDir, manifested: true, timings: {}, overheadMs: 0, firedAlerts: [], leaks: 0 };
  };
  return Object.assign(fn, { requests });
}

function io() {
  const c = {
    out: '',
    err: '',
    io: { stdout: (t: string) => (c.out += t), stderr: (t: string) => (c.err += t) },
  };
  return c;
}

const opts = (o: Partial<ReproduceCliOptions> = {}): ReproduceCliOptions => ({
  out: join(root, 'again'),
  repeats: '1',
  output: 'text',
  ...o,
});

async function run(bundle: string, o: Partial<ReproduceCliOptions> = {}, runOne = fakeRun()) {
  const c = io();
  let code: number;
  try {
    code = await reproduceCommand(bundle, opts(o), c.io, {
      createSubstrate: async () => new FakeSubstrate(),
      runOne,
      signal: new AbortController().signal,
      openRunLog: quietRunLog,
      currentEnvironment: async () => ENV,
    });
  } catch (err) {
    code = exitCodeFor(err, (l) => (c.err += l));
  }
  return { code, ...c, runOne };
}

describe('firedrill reproduce', () => {
  it('re-stages with the recorded secret, seed, repeat and offsets, and says "reproduced"', async () => {
    const bundle = await original();
    const r = await run(bundle);
    expect({ code: r.code, err: r.err }).toEqual({ code: ExitCode.Ok, err: expect.any(String) as string });
    expect(r.err).not.toMatch(/drift/);
    const [req] = r.runOne.requests;
    expect(req).toMatchObject({ secret: SECRET, seed: 42, repeat: 0, bundleId: 'incident-0a1b2c3d4e5f' });
    expect(req.outDir).toBe(join(root, 'again'));
    expect(req.plan).toMatchObject({ warmupMs: plan.warmupMs, leadMs: plan.leadMs, tailMs: plan.tailMs });
    expect(req.scenario.sourceText).toBe(INCIDENT_SCENARIO_TEXT);
    expect(r.out).toMatch(/^reproduced: firing alerts agree: Jaccard 1\.00 ≥ 0\.8; same root causes$/m);
    expect(r.out.trimEnd().split('\n').at(-1)).toBe(
      'reproduced: 1 of 1 re-staging of incident-0a1b2c3d4e5f (payment-latency, seed 42, repeat 0) on local matched the original',
    );
  });

  it('says "differs" (exit 1) when the scenario was edited to another fault', async () => {
    const bundle = await original();
    const edited = join(root, 'edited.yaml');
    await writeFile(
      edited,
      INCIDENT_SCENARIO_TEXT.replace('type: app-latency', 'type: app-error-rate').replace(
        'params: {delayMs: 1200}',
        'params: {fraction: 0.4}',
      ),
    );
    const r = await run(bundle, { scenario: edited });
    expect(r.code).toBe(ExitCode.Failure);
    expect(r.err).toMatch(/drift: scenario \(as resolved/);
    expect(r.out).toMatch(/^differs: firing alerts differ: Jaccard 0\.00 < 0\.8; same root causes$/m);
    expect(r.out.trimEnd().split('\n').at(-1)).toMatch(
      /^differs: 0 of 1 re-staging of incident-0a1b2c3d4e5f/,
    );
  });

  it('puts several re-stagings in numbered folders and prints one document with -o json', async () => {
    const bundle = await original();
    const r = await run(bundle, { repeats: '2', output: 'json' });
    expect(r.code).toBe(ExitCode.Ok);
    const doc = JSON.parse(r.out) as ReproduceResult;
    expect(doc.verdict).toBe('reproduced');
    expect(doc.runs.map((x) => x.bundleDir)).toEqual([
      join(root, 'again', '1', 'incident-0a1b2c3d4e5f'),
      join(root, 'again', '2', 'incident-0a1b2c3d4e5f'),
    ]);
    expect(doc.runs[0].diff?.verdict).toBe('reproduced');
  });

  it('reports drift before starting, and refuses with --strict (exit 4, nothing run)', async () => {
    const bundle = await original({ environment: { ...ENV, node: 'v20.11.0' } });
    const r = await run(bundle, { strict: true });
    expect(r.code).toBe(ExitCode.MissingPrerequisite);
    expect(r.err).toMatch(/firedrill: drift: node: v20\.11\.0 recorded, v20\.20\.2 now/);
    expect(r.err).toMatch(/--strict: 1 difference/);
    expect(r.runOne.requests).toEqual([]);
  });

  it('explains that a bundle without its recipe cannot be re-staged (exit 2)', async () => {
    const bundle = await original({ withoutRecipe: true });
    const r = await run(bundle);
    expect(r.code).toBe(ExitCode.InvalidInput);
    expect(r.err).toMatch(/carries no truth\/recipe\.json and truth\/scenario\.yaml.*cannot be re-staged/);
  });

  it('refuses to write over the original (same bundle id)', async () => {
    const bundle = await original();
    const r = await run(bundle, { out: join(root, 'orig') });
    expect(r.code).toBe(ExitCode.InvalidInput);
    expect(r.err).toMatch(/is the bundle being reproduced/);
  });
});
