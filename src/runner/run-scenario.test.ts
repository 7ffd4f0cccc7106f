import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InterruptedError } from '../errors/interrupted-error.js';
import type { Manifest } from '../bundle/manifest.js';
import type { GroundTruth } from '../bundle/ground-truth.js';
import type { ManualClock } from '../util/manual-clock.js';
import { defaultCatalog } from '../faults/catalog.js';
import { loadScenarioText } from '../scenario/load-scenario.js';
import { faultWorkloads, runScenario, untouchable } from './run-scenario.js';
import type { RunOutcome } from './run-request.js';
import {
  stagedWorld,
  TEST_SCENARIO,
  type InstantRolloutObjects,
  type StagedWorld,
} from './testing/staged-world.js';

const TEST_SECRET = 'ab'.repeat(32);

/**
 * Moves the manual clock a second at a time, but only while the run is parked on a sleep: real I/O
 * (the bundle's files) takes no time on the manual clock.
 */
async function drive<T>(run: Promise<T>, clock: ManualClock, maxSteps = 10_000): Promise<T> {
  let settled = false;
  const done = run.finally(() => {
    settled = true;
  });
  for (let i = 0; i < maxSteps && !settled; i++) {
    if (clock.pendingSleeps > 0) await clock.advance(1000);
    else await new Promise((r) => setImmediate(r));
  }
  return done;
}

async function start(
  w: StagedWorld,
  outDir: string,
  signal = new AbortController().signal,
): Promise<RunOutcome> {
  return runScenario({
    scenario: w.scenario,
    repeat: 0,
    seed: 7,
    outDir,
    bundleId: 'incident-test',
    secret: TEST_SECRET,
    plan: {
      warmupMs: 10_000,
      leadMs: 10_000,
      tailMs: 4_000,
      loadSeed: 7,
      recordChangeCause: false,
      history: { appAgeMs: 0, clusterAgeMs: 0 },
      pastSeed: '0123456789abcdef',
      load: w.scenario.spec.load,
      background: [],
    },
    substrate: w.substrate,
    registry: w.registry,
    logger: w.logger,
    progress: w.progress,
    signal,
    clock: w.clock,
  });
}

describe('runScenario, phase by phase against a staged world', () => {
  let out: string;
  beforeEach(async () => {
    out = await mkdtemp(join(tmpdir(), 'fd-run-'));
  });

  it('runs the phases in order, injects at the offset, waits for the alert and commits a checked bundle', async () => {
    const w = stagedWorld({ fireAtPoll: 3 });
    const outcome = await drive(start(w, out), w.clock);
    expect([...new Set(w.phases)]).toEqual(['reset', 'warmup', 'inject', 'wait', 'capture', 'recover']);
    expect(Object.keys(outcome.timings)).toEqual([
      'reset',
      'warmup',
      'inject',
      'wait',
      'capture',
      'commit',
      'recover',
    ]);
    // Warmup 10 s, then the fault 5 s after it; held until recovery.
    expect(outcome.timings.warmup).toBe(10_000);
    expect(outcome.timings.inject).toBe(5_000);
    expect(w.journal.entries).toEqual([
      'inject test-delay shop/Deployment/payment 500ms',
      'undo test-delay shop/Deployment/payment',
    ]);
    expect(outcome.manifested).toBe(true);
    expect(outcome.firedAlerts).toEqual(['TestHighLatency']);

    const manifest = JSON.parse(await readFile(join(outcome.bundleDir, 'manifest.json'), 'utf8')) as Manifest;
    expect(manifest.checks.manifested.ok).toBe(true);
    expect(manifest.checks.leakFree.ok).toBe(true);
    const truth = JSON.parse(
      await readFile(join(outcome.bundleDir, 'truth/ground_truth.json'), 'utf8'),
    ) as GroundTruth;
    expect(truth.rootCauses.map((r) => r.id)).toEqual(['shop/Deployment/payment']);
    expect(truth.faults).toHaveLength(1);
    // The window starts `before` ahead of the end of the warmup (never before the warmup started, so here
    // with it: the fault 5 s later) and ends `after` past the alert.
    const windowStart = Date.parse(manifest.times.windowStart);
    expect(Date.parse(truth.injectedAt ?? '') - windowStart).toBe(15_000);
    expect(Date.parse(manifest.times.windowEnd) - Date.parse(truth.manifestedAt ?? '')).toBe(4_000);
    expect(w.substrate.calls).toEqual(['reset']);
  });

  const withPrecondition = TEST_SCENARIO.replace(
    '  observe:',
    '  preconditions:\n    - {type: test-delay, target: shop/Deployment/frontend, params: {delayMs: 100}}\n  observe:',
  );
  /** The annotation test-delay's precondition deploys the frontend with, as the fake target holds it now. */
  const frontendMark = (w: StagedWorld): string | undefined =>
    [...(w.substrate.faultTarget.objects as InstantRolloutObjects).objects.values()].find(
      (o) => o.kind === 'Deployment' && o.metadata.name === 'frontend',
    )?.metadata.annotations?.['test.firedrill.dev/delay-ms'];

  it('deploys the app with its preconditions at the reset, keeps them out of the truth, and puts the manifests back after the run', async () => {
    const w = stagedWorld({ fireAtPoll: 3, scenarioText: withPrecondition });
    const seen: Array<[string, string | undefined]> = [];
    w.progress.phase = (name) => {
      w.phases.push(name);
      seen.push([name, frontendMark(w)]);
    };
    const outcome = await drive(start(w, out), w.clock);
    expect(w.journal.entries).toEqual([
      'deploy shop/Deployment/frontend with test-delay 100ms',
      'inject test-delay shop/Deployment/payment 500ms',
      'undo test-delay shop/Deployment/payment',
    ]);
    // Deployed with it from the reset on (no change of its own in the run), gone once the run is over.
    expect(seen.find(([name]) => name === 'warmup')?.[1]).toBe('100');
    expect(seen.find(([name]) => name === 'capture')?.[1]).toBe('100');
    expect(frontendMark(w)).toBeUndefined();
    const truth = JSON.parse(
      await readFile(join(outcome.bundleDir, 'truth/ground_truth.json'), 'utf8'),
    ) as GroundTruth;
    expect(truth.rootCauses.map((r) => r.id)).toEqual(['shop/Deployment/payment']);
    expect(truth.faults.map((f) => f.target)).toEqual(['shop/Deployment/payment']);
  });

  it('puts the manifests back when the run is interrupted before the first fault', async () => {
    const w = stagedWorld({ scenarioText: withPrecondition });
    const ac = new AbortController();
    const failed = start(w, out, ac.signal).then(
      () => null,
      (e: unknown) => e,
    );
    for (let i = 0; i < 3; i++) await w.clock.advance(1000);
    expect(frontendMark(w)).toBe('100');
    ac.abort(new InterruptedError('SIGINT'));
    expect(await failed).toBeInstanceOf(InterruptedError);
    expect(frontendMark(w)).toBeUndefined();
    expect(w.journal.entries).toEqual(['deploy shop/Deployment/frontend with test-delay 100ms']);
    expect(await readdir(out)).toEqual([]);
  });

  it('keeps its recipe in truth/: the scenario byte for byte and the draw, none of it in snapshot/', async () => {
    // A byte-order mark, CRLF line ends, a comment and a non-ASCII character: all kept as written.
    const text = `\uFEFF# author's note: café\n${TEST_SCENARIO}`.replace(/\n/g, '\r\n');
    const w = stagedWorld({ fireAtPoll: 3, scenarioText: text });
    const outcome = await drive(start(w, out), w.clock);
    const kept = await readFile(join(outcome.bundleDir, 'truth/scenario.yaml'));
    expect(kept.equals(Buffer.from(text, 'utf8'))).toBe(true);
    const recipe = JSON.parse(await readFile(join(outcome.bundleDir, 'truth/recipe.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(recipe).toEqual({
      scenarioId: 'staged-delay',
      seed: 7,
      repeat: 0,
      substrate: w.substrate.name,
      secret: TEST_SECRET,
      warmupMs: 10_000,
      leadMs: 10_000,
      tailMs: 4_000,
      loadSeed: 7,
      recordChangeCause: false,
      history: {
        appAgeMs: 0,
        clusterAgeMs: 0,
        resetStart: expect.any(String) as string,
        runStart: expect.any(String) as string,
        pastSeed: '0123456789abcdef',
      },
      load: w.scenario.spec.load,
      stableUntil: expect.any(String) as string,
    });
    for (const f of await readdir(join(outcome.bundleDir, 'snapshot'))) {
      const body = await readFile(join(outcome.bundleDir, 'snapshot', f), 'utf8');
      expect({ f, secret: body.includes(TEST_SECRET), note: body.includes("author's note") }).toEqual({
        f,
        secret: false,
        note: false,
      });
    }
  });

  it('gives up at the timeout, still captures the window, and says the incident did not manifest', async () => {
    const w = stagedWorld();
    const outcome = await drive(start(w, out), w.clock);
    expect(outcome.manifested).toBe(false);
    expect(outcome.timings.wait).toBeGreaterThanOrEqual(55_000);
    const manifest = JSON.parse(await readFile(join(outcome.bundleDir, 'manifest.json'), 'utf8')) as Manifest;
    expect(manifest.checks.manifested).toEqual({
      ok: false,
      detail: 'not firing before the 60s timeout: TestHighLatency',
    });
  });

  it('does not take an alert active since before the first fault for the incident (background), and times out', async () => {
    const w = stagedWorld({ fireAtPoll: 3, alertActiveAt: new Date(0).toISOString() });
    const outcome = await drive(start(w, out), w.clock);
    expect(outcome.manifested).toBe(false);
  });

  it('recovers every fault and leaves no bundle when interrupted while waiting', async () => {
    const w = stagedWorld();
    const ac = new AbortController();
    const run = start(w, out, ac.signal);
    const failed = run.then(
      () => null,
      (e: unknown) => e,
    );
    for (let i = 0; i < 20; i++) await w.clock.advance(1000);
    expect(w.journal.entries).toHaveLength(1);
    ac.abort(new InterruptedError('SIGINT'));
    expect(await failed).toBeInstanceOf(InterruptedError);
    expect(w.journal.entries).toEqual([
      'inject test-delay shop/Deployment/payment 500ms',
      'undo test-delay shop/Deployment/payment',
    ]);
    expect(await readdir(out)).toEqual([]);
  });
});

describe('untouchable', () => {
  const scenario = (faults: string) =>
    loadScenarioText(
      `apiVersion: firedrill/v1
kind: Scenario
metadata: { id: two-faults, title: Two faults }
spec:
  app: shop
  faults:
${faults}
  observe: { timeout: 3m }
`,
      'two-faults.yaml',
    );

  it('lets background roll out, scale and restart a target whose fault outlives its pods, never one whose fault dies with them', () => {
    const s = scenario(`    - { type: app-latency, target: shop/Deployment/payment, params: { delayMs: 900 } }
    - { type: app-memory-leak, target: shop/Deployment/cart, params: { mbPerMinute: 40 } }
    - { type: env-override, target: shop/Deployment/checkout, params: { name: PAYMENT_URL, value: "http://payment:8081" } }`);
    expect([...untouchable(s, defaultCatalog())].sort()).toEqual(['cart', 'checkout']);
  });

  it('names every faulty Deployment to background, those whose fault outlives its pods too', () => {
    const s = scenario(`    - { type: app-latency, target: shop/Deployment/payment, params: { delayMs: 900 } }
    - { type: config-corruption, target: shop/ConfigMap/cart-config }`);
    expect([...faultWorkloads(s)]).toEqual(['payment']);
  });

  it('keeps a workload off limits when any fault on it would not survive a restart', () => {
    const s = scenario(`    - { type: app-latency, target: shop/Deployment/payment, params: { delayMs: 900 } }
    - { type: crash-loop, target: shop/Deployment/payment }`);
    expect([...untouchable(s, defaultCatalog())]).toEqual(['payment']);
  });
});
