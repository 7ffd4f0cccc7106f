import { BackgroundRunner } from '../background/background-runner.js';
import { serviceOf } from '../background/eligible.js';
import { BundleWriter } from '../bundle/bundle-writer.js';
import { DEFAULT_SCOPE } from '../capture/capture-scope.js';
import { ObjectHistoryRecorder } from '../capture/object-history.js';
import { APP_NAMESPACE } from '../platform/app-namespaces.js';
import type { Scenario } from '../scenario/scenario.js';
import { changeCauseTarget } from './change-cause-target.js';
import { FaultSession } from './fault-session.js';
import { Preconditions } from './preconditions.js';
import { capturePhase } from './phases/capture.js';
import { commitPhase } from './phases/commit.js';
import { injectPhase } from './phases/inject.js';
import { recoverPhase } from './phases/recover.js';
import { resetPhase } from './phases/reset.js';
import { waitForIncidentPhase } from './phases/wait-for-incident.js';
import { warmUpPhase } from './phases/warm-up.js';
import { RunContext } from './run-context.js';
import type { RunOutcome, RunRequest } from './run-request.js';

export type { RunOutcome, RunRequest } from './run-request.js';

/**
 * A change to a fault's target (a rollout, a reschedule) is allowed until this long before the first
 * fault, so its new pods are up and settled when the fault goes in.
 */
export const TARGETS_SETTLE_MS = 30_000;

/**
 * Workloads (Deployments, CronJobs) background activity must not roll out, scale or restart: those a fault
 * targets or the truth names, so the incident stays the scenario's (a rollout of the target would restart
 * away a leak, say), except the targets of faults whose effect outlives their pods (a setting each new pod
 * reads), from TARGETS_SETTLE_MS before the first fault on (before that, changes that are over at once may
 * touch them). Were every faulty workload the one no rollout ever touches, that quiet would name it.
 */
export function untouchable(scenario: Scenario, registry: RunRequest['registry']): Set<string> {
  const workload = (kind: string) => kind === 'Deployment' || kind === 'CronJob';
  const names = faultWorkloads(scenario, workload);
  const robust = new Set<string>();
  for (const f of scenario.spec.faults)
    if (workload(f.targetRef.kind) && registry.get(f.type)?.survivesRestart === true)
      robust.add(f.targetRef.name);
  for (const f of scenario.spec.faults)
    if (workload(f.targetRef.kind) && registry.get(f.type)?.survivesRestart !== true)
      robust.delete(f.targetRef.name);
  for (const name of robust) names.delete(name);
  return names;
}

/** Every workload (of the kinds `isWorkload` takes; Deployments by default) a fault targets or the truth names. */
export function faultWorkloads(
  scenario: Scenario,
  isWorkload: (kind: string) => boolean = (kind) => kind === 'Deployment',
): Set<string> {
  const names = new Set<string>();
  for (const f of scenario.spec.faults) if (isWorkload(f.targetRef.kind)) names.add(f.targetRef.name);
  for (const rc of scenario.spec.groundTruth.rootCauses) {
    const [, kind, name] = rc.id.split('/');
    if (kind && isWorkload(kind) && name) names.add(name);
  }
  return names;
}

/**
 * The run-time settings the scenario's faults will hold (`<service>.<setting>`), read off their targets:
 * held for background from the start, so that a blip never takes a fault's setting, nor clears it when done.
 */
async function faultSettings(req: RunRequest): Promise<string[]> {
  const keys: string[] = [];
  for (const f of req.scenario.spec.faults) {
    const setting = req.registry.get(f.type)?.setting;
    if (!setting || f.targetRef.kind !== 'Deployment') continue;
    const d = await req.substrate.faultTarget.objects.get(
      'Deployment',
      f.targetRef.namespace,
      f.targetRef.name,
    );
    const service = d && serviceOf(d);
    if (service) keys.push(`${service}.${setting}`);
  }
  return keys;
}

/**
 * One run of one scenario, as named phases: reset (the app deployed with its preconditions) → warm up → inject → wait for the incident →
 * capture → commit → recover, with routine background activity and an object-change recorder running
 * beside them from the start of the warmup to the end of observation. Faults and background are always
 * taken back, whatever happens (errors, Ctrl-C); a bundle is committed only when complete, so an
 * interrupted run leaves none.
 */
export async function runScenario(req: RunRequest): Promise<RunOutcome> {
  const ctx = new RunContext(req);
  const scope = req.scope ?? DEFAULT_SCOPE;
  const preconditions = new Preconditions(req.scenario, req.registry);
  const restorePreconditions = () =>
    preconditions
      .restore(req.substrate.faultTarget.objects)
      .catch((err: unknown) =>
        req.logger.error({ err }, 'restoring the manifests after preconditions failed'),
      );
  let reset: { resetStart: number; runStart: number };
  try {
    reset = await resetPhase(ctx, preconditions);
  } catch (err) {
    await restorePreconditions();
    throw err;
  }
  const { resetStart, runStart } = reset;
  // Faults and background change objects through one target, so their rollouts are annotated alike.
  const target = changeCauseTarget(req.substrate.faultTarget, ctx.plan.recordChangeCause);
  const faults = new FaultSession(
    req.registry,
    { substrate: req.substrate.name, target },
    req.logger.child({ component: 'faults' }),
    req.signal,
  );
  // The warmup's start, once it starts: the first fault comes a planned time after it.
  let warmupFrom = Infinity;
  const firstFaultMs = Math.min(...req.scenario.spec.faults.map((f) => f.atMs));
  const background = new BackgroundRunner(
    ctx.plan.background,
    {
      target,
      namespace: APP_NAMESPACE,
      excluded: untouchable(req.scenario, req.registry),
      excludedFrom: () => warmupFrom + ctx.plan.warmupMs + firstFaultMs - TARGETS_SETTLE_MS,
      faultTargets: faultWorkloads(req.scenario),
      heldSettings: new Set(await faultSettings(req)),
      now: () => new Date(ctx.now()),
      logger: req.logger.child({ component: 'background' }),
    },
    ctx.clock,
  );
  const history = new ObjectHistoryRecorder(req.substrate.capture.objects, scope, ctx.clock, req.logger);
  let writer: BundleWriter | undefined;
  let committed = false;
  try {
    warmupFrom = ctx.now();
    background.start(warmupFrom);
    history.start();
    const warmupStart = await warmUpPhase(ctx);
    const t0 = ctx.now();
    await injectPhase(ctx, faults, t0);
    const manifestedAt = await waitForIncidentPhase(ctx, faults, t0, scope);
    // The window ends here. Background stops acting but takes nothing back before the capture: objects
    // must show what the window ended with (a scale-up still up), as the metrics do.
    const windowEnd = ctx.now();
    await history.observe();
    await Promise.all([background.halt(), history.stop()]);
    writer = await BundleWriter.create(req.outDir, req.bundleId);
    const captured = await capturePhase(
      ctx,
      writer,
      faults,
      { resetStart, runStart, warmupStart, t0, manifestedAt, windowEnd },
      scope,
      background,
      { objectChanges: (w) => history.changes(w) },
    );
    await background.stop();
    const done = await commitPhase(ctx, writer, captured, {
      t0,
      injectedAt: faults.firstInjectedAt(),
      manifestedAt,
    });
    committed = true;
    req.logger.info(
      {
        bundleDir: done.bundleDir,
        manifested: done.manifested,
        counts: captured.cap.counts,
        collectorsMs: captured.cap.timingsMs,
      },
      'bundle written',
    );
    await recoverPhase(ctx, faults, preconditions);
    // The scenario's own waits: warmup, time to manifest (or its timeout) and the window after it.
    const waited = (ctx.timings.warmup ?? 0) + (ctx.timings.wait ?? 0);
    const total = Object.values(ctx.timings).reduce((a, b) => a + b, 0);
    return {
      bundleDir: done.bundleDir,
      manifested: done.manifested,
      timings: ctx.timings,
      overheadMs: total - waited,
      firedAlerts: captured.fired,
      leaks: done.leaks.length,
    };
  } finally {
    // Whatever happened, nothing stays broken and no half bundle is left.
    await background.stop().catch((err: unknown) => req.logger.error({ err }, 'background recovery failed'));
    await history.stop().catch(() => undefined);
    await faults.recoverAll().catch((err: unknown) => req.logger.error({ err }, 'fault recovery failed'));
    await restorePreconditions();
    if (writer && !committed) await writer.abort().catch(() => undefined);
    ctx.close();
  }
}
