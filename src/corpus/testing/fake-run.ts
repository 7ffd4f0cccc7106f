import type { RunOutcome, RunRequest } from '../../runner/run-scenario.js';
import { scenarioHash } from '../../scenario/scenario-hash.js';
import type { RunFn } from '../run-corpus.js';
import { stepSeries, writeSyntheticBundle } from './synthetic-bundle.js';

export interface FakeRunOptions {
  /** Bundle ids whose run throws instead of writing a bundle. */
  failFor?: ReadonlySet<string>;
  /** Alerts that fire for a run (default: one latency alert on the target service). */
  alertsFor?: (scenarioId: string, repeat: number) => string[];
  /** Called before each run, e.g. to abort the signal mid-corpus. */
  before?: (req: RunRequest) => void;
}

/**
 * A run function for corpus tests: resets the substrate like runScenario does, then writes a synthetic
 * bundle whose root cause is the scenario's first ground-truth entity, observable through a moved
 * latency metric and a firing alert. Records every request it was given.
 */
export function fakeRun(opts: FakeRunOptions = {}): RunFn & { requests: RunRequest[] } {
  const requests: RunRequest[] = [];
  const fn = async (req: RunRequest): Promise<RunOutcome> => {
    requests.push(req);
    opts.before?.(req);
    await req.substrate.reset(req.signal, req.progress);
    if (req.signal.aborted) throw new Error('interrupted');
    if (opts.failFor?.has(req.bundleId)) throw new Error(`fake failure of ${req.bundleId}`);
    const root = req.scenario.spec.groundTruth.rootCauses[0]?.id ?? 'shop/Deployment/payment';
    const [ns, , name] = root.split('/');
    const alerts = opts.alertsFor?.(req.scenario.metadata.id, req.repeat) ?? ['ShopHighLatencyP95'];
    const labels = { namespace: ns, service: name };
    const bundleDir = await writeSyntheticBundle(req.outDir, req.bundleId, {
      scenarioId: req.scenario.metadata.id,
      repeat: req.repeat,
      seed: req.seed,
      substrate: req.substrate.name,
      scenarioHash: scenarioHash(req.scenario),
      // as the runner's withAliases would: the Deployment's pod and the Service selecting it
      rootCauses: req.scenario.spec.groundTruth.rootCauses.map((r) => {
        const [rns, , rname] = r.id.split('/');
        return { id: r.id, aliases: [...r.aliases, `${rns}/Pod/${rname}-0`, `${rns}/Service/${rname}`] };
      }),
      firing: alerts.map((alertname) => ({ alertname, labels })),
      replace: req.replace,
      metrics: [stepSeries('latency_p95_seconds', { ...labels, pod: `${name}-0` }, 0.1, 1.3)],
    });
    const timings = { reset: 10, warmup: 300, inject: 5, wait: 200, capture: 40, commit: 5, recover: 20 };
    return { bundleDir, manifested: true, timings, overheadMs: 80, firedAlerts: alerts, leaks: 0 };
  };
  return Object.assign(fn, { requests });
}
