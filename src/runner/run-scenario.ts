import { BundleWriter } from '../bundle/bundle-writer.js';
import type { GroundTruth } from '../bundle/ground-truth.js';
import { withAliases } from '../entities/root-cause-aliases.js';
import { captureSnapshot } from '../capture/capture-snapshot.js';
import { DEFAULT_SCOPE, type CaptureScope } from '../capture/capture-scope.js';
import { firedAlertNames } from '../capture/collect-alerts.js';
import { findLeaks } from '../bundle/leak-rule.js';
import { InterruptedError } from '../errors/interrupted-error.js';
import type { FaultRegistry } from '../faults/fault-registry.js';
import type { Logger } from '../logging/logger.js';
import type { Scenario } from '../scenario/scenario.js';
import { scenarioHash } from '../scenario/scenario-hash.js';
import { applyLoad } from '../substrates/apply-load.js';
import { APP_NAMESPACE, SYSTEM_NAMESPACE } from '../platform/app-namespaces.js';
import type { ProgressReporter, Substrate } from '../platform/substrate.js';
import { waitDeploymentsReady } from '../substrates/wait-healthy.js';
import { abortableDelay, systemClock, type Clock } from '../util/clock.js';
import { FaultSession } from './fault-session.js';
import { leakTerms } from './leak-terms.js';

export interface RunRequest {
  scenario: Scenario;
  repeat: number;
  seed: number;
  outDir: string;
  bundleId: string;
  substrate: Substrate;
  registry: FaultRegistry;
  logger: Logger;
  progress: ProgressReporter;
  signal: AbortSignal;
  clock?: Clock;
  scope?: CaptureScope;
  /** Replace an existing bundle of the same id. */
  replace?: boolean;
  /** How long the app may take to be healthy again after recovery. */
  recoverTimeoutMs?: number;
}

export interface RunOutcome {
  bundleDir: string;
  manifested: boolean;
  /** Milliseconds per phase: reset, warmup, inject, wait, capture, commit, recover. */
  timings: Record<string, number>;
  /** Time the testbed spent beyond the scenario's own waits (warmup, waiting for the incident). */
  overheadMs: number;
  firedAlerts: string[];
  leaks: number;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * One run of one scenario: health gate → warmup under load → inject → wait for the incident →
 * capture → bundle → recover → health gate. Faults are always recovered, whatever happens (errors,
 * Ctrl-C); a bundle is committed only when complete, so an interrupted run leaves none.
 */
export async function runScenario(req: RunRequest): Promise<RunOutcome> {
  const clock = req.clock ?? systemClock;
  const { scenario, substrate, signal, progress, logger } = req;
  const scope = req.scope ?? DEFAULT_SCOPE;
  const spec = scenario.spec;
  const timings: Record<string, number> = {};
  let mark = clock.now();
  const phaseDone = (name: string): void => {
    const now = clock.now();
    timings[name] = now - mark;
    mark = now;
  };
  const checkAbort = (): void => {
    if (!signal.aborted) return;
    throw signal.reason instanceof InterruptedError ? signal.reason : new InterruptedError('abort');
  };
  const sleep = async (ms: number): Promise<void> => {
    try {
      await abortableDelay(ms, signal);
    } catch {
      checkAbort();
    }
  };

  progress.phase('reset', 'app back to baseline, waiting for every Deployment to be ready');
  await substrate.reset(signal, progress);
  await applyLoad(substrate.faultTarget.objects, { rps: spec.load.rps, seed: req.seed, mix: spec.load.mix });
  await waitDeploymentsReady(substrate.faultTarget.objects, [SYSTEM_NAMESPACE], 120_000, signal);
  checkAbort();
  phaseDone('reset');

  const faults = new FaultSession(req.registry, substrate, logger.child({ component: 'faults' }), signal);
  let writer: BundleWriter | undefined;
  let committed = false;
  try {
    const warmupStart = clock.now();
    progress.phase('warmup', `${Math.round(spec.observe.warmupMs / 1000)}s under load`);
    await sleep(spec.observe.warmupMs);
    phaseDone('warmup');
    const t0 = clock.now();

    // Faults at their offsets from the end of the warmup; each is held for its duration or to the end.
    progress.phase('inject', spec.faults.map((f) => `${f.type} → ${f.target}`).join(', '));
    const ordered = [...spec.faults].sort((a, b) => a.atMs - b.atMs);
    for (const f of ordered) {
      const wait = t0 + f.atMs - clock.now();
      if (wait > 0) await sleep(wait);
      checkAbort();
      await faults.inject(f, clock.now());
    }
    phaseDone('inject');
    const injectedAt = faults.firstInjectedAt();

    // Wait for the incident: the scenario's `until` alerts firing, or its timeout.
    const until = spec.observe.until;
    const deadline = t0 + spec.observe.timeoutMs;
    let manifestedAt: number | undefined;
    progress.phase(
      'wait',
      until.alerts.length ? `${until.mode} of ${until.alerts.join(', ')} firing` : 'timeout',
    );
    while (clock.now() < deadline) {
      checkAbort();
      const firing = new Set(
        (await substrate.capture.prometheus.alerts())
          .filter(
            (a) =>
              a.state === 'firing' && (!a.labels.namespace || scope.namespaces.includes(a.labels.namespace)),
          )
          .map((a) => a.labels.alertname),
      );
      const hit =
        until.mode === 'all'
          ? until.alerts.every((a) => firing.has(a))
          : until.alerts.some((a) => firing.has(a));
      if (until.alerts.length > 0 && hit) {
        manifestedAt = clock.now();
        break;
      }
      await sleep(Math.min(2000, Math.max(0, deadline - clock.now())));
    }
    faults.expireDue(clock.now());
    if (manifestedAt !== undefined && spec.observe.window.afterMs > 0) {
      progress.phase('wait', `${Math.round(spec.observe.window.afterMs / 1000)}s after the incident showed`);
      await sleep(spec.observe.window.afterMs);
    }
    phaseDone('wait');

    // Capture the window: from `before` ahead of the first fault to now.
    progress.phase('capture', 'alerts, events, logs, traces, metrics, objects');
    const window = {
      start: new Date(Math.max(warmupStart, t0 - spec.observe.window.beforeMs)),
      end: new Date(clock.now()),
    };
    writer = await BundleWriter.create(req.outDir, req.bundleId);
    const cap = await captureSnapshot(
      substrate.capture,
      window,
      scope,
      writer,
      logger.child({ component: 'capture' }),
    );
    const fired = firedAlertNames(cap.alerts);
    const expected = spec.expect.alerts;
    const manifested =
      manifestedAt !== undefined ||
      (until.alerts.length === 0 && expected.length > 0 && expected.every((a) => fired.includes(a)));
    const truth: GroundTruth = {
      format: 1,
      scenarioId: scenario.metadata.id,
      rootCauses: withAliases(
        spec.groundTruth.rootCauses.map((r) => r.id),
        cap.topology,
        cap.seenEntities,
      ).map((r, i) => ({
        id: r.id,
        aliases: [...new Set([...(spec.groundTruth.rootCauses[i]?.aliases ?? []), ...r.aliases])].sort(),
      })),
      faults: faults.records(),
      injectedAt: injectedAt !== undefined ? iso(injectedAt) : null,
      manifestedAt: manifestedAt !== undefined ? iso(manifestedAt) : null,
      expectedAlerts: expected,
      firedAlerts: fired,
    };
    await writer.writeJson('truth/ground_truth.json', truth);
    phaseDone('capture');

    // Interrupted during capture: no commit, so no bundle is left that looks complete.
    checkAbort();
    const leaks = await findLeaks(`${writer.tmpDir}/snapshot`, leakTerms(scenario, req.registry));
    for (const l of leaks) logger.warn({ leak: l }, 'snapshot names the fault or the testbed');
    const missingExpected = expected.filter((a) => !fired.includes(a));
    // A clean baseline: nothing fired before the first fault, so every firing alert belongs to the incident.
    const early = cap.alerts.timeline.filter(
      (t) => t.state === 'firing' && injectedAt !== undefined && Date.parse(t.start) < injectedAt,
    );
    checkAbort();
    const bundleDir = await writer.commit(
      {
        scenarioId: scenario.metadata.id,
        scenarioHash: scenarioHash(scenario),
        seed: req.seed,
        repeat: req.repeat,
        substrate: substrate.name,
        times: {
          windowStart: window.start.toISOString(),
          windowEnd: window.end.toISOString(),
          injectedAt: truth.injectedAt,
          manifestedAt: truth.manifestedAt,
          capturedAt: iso(clock.now()),
        },
        manifested,
        environment: await substrate.environment(),
        checks: {
          manifested: {
            ok: manifested,
            detail: manifested
              ? `expected alerts firing ${Math.round(((manifestedAt ?? clock.now()) - (injectedAt ?? t0)) / 1000)}s after injection`
              : `not firing before the ${Math.round(spec.observe.timeoutMs / 1000)}s timeout: ${missingExpected.join(', ') || until.alerts.join(', ')}`,
          },
          expectedAlertsFired: {
            ok: missingExpected.length === 0,
            detail:
              missingExpected.length === 0 ? expected.join(', ') : `missing: ${missingExpected.join(', ')}`,
          },
          quietBaseline: {
            ok: early.length === 0,
            detail: early.map((t) => `${t.alertname} firing at ${t.start} before injection`).join('; '),
          },
          leakFree: {
            ok: leaks.length === 0,
            detail:
              leaks.length === 0
                ? ''
                : leaks
                    .slice(0, 5)
                    .map((l) => `${l.file}:${l.line}: "${l.term}"`)
                    .join('; '),
          },
        },
      },
      { replace: req.replace },
    );
    committed = true;
    phaseDone('commit');
    logger.info({ bundleDir, manifested, counts: cap.counts, collectorsMs: cap.timingsMs }, 'bundle written');

    progress.phase('recover', 'undoing faults, waiting for the app to be healthy');
    await faults.recoverAll();
    await waitDeploymentsReady(
      substrate.faultTarget.objects,
      [APP_NAMESPACE],
      req.recoverTimeoutMs ?? 180_000,
      signal,
    );
    phaseDone('recover');
    // The scenario's own waits: warmup, time to manifest (or its timeout) and the window after it.
    const waited = timings.warmup + timings.wait;
    const total = Object.values(timings).reduce((a, b) => a + b, 0);
    return {
      bundleDir,
      manifested,
      timings,
      overheadMs: total - waited,
      firedAlerts: fired,
      leaks: leaks.length,
    };
  } finally {
    // Whatever happened, nothing stays broken and no half bundle is left.
    await faults.recoverAll().catch((err: unknown) => logger.error({ err }, 'fault recovery failed'));
    if (writer && !committed) await writer.abort().catch(() => undefined);
  }
}
