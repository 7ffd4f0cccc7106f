import type { KubeObject } from '../../kube/kube-object.js';
import type { LogRecord, SpanRecord } from '../../bundle/records.js';
import { testRegistry, type TestFaultJournal } from '../../faults/testing/test-fault.js';
import { fakeTarget, MemoryObjects } from '../../faults/testing/fake-target.js';
import { silentLogger } from '../../logging/logger.js';
import type { CaptureSources } from '../../platform/capture-sources.js';
import { FakeSubstrate } from '../../platform/testing/fake-substrate.js';
import { loadScenarioText } from '../../scenario/load-scenario.js';
import type { Scenario } from '../../scenario/scenario.js';
import { FakePrometheus } from '../../telemetry/testing/fake-prometheus.js';
import type { PrometheusAlert } from '../../telemetry/prometheus-api.js';
import { ManualClock } from '../../util/manual-clock.js';
import type { ProgressReporter } from '../../platform/substrate.js';

/** A Deployment whose status says it is rolled out, so readiness waits return at once. */
export function readyDeployment(namespace: string, name: string): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, generation: 1, labels: { 'app.kubernetes.io/name': name } },
    spec: {
      replicas: 1,
      selector: { matchLabels: { 'app.kubernetes.io/name': name } },
      template: { spec: { containers: [{ name, image: 'acme/shop:0.1.0', env: [] }] } },
    },
    status: { observedGeneration: 1, updatedReplicas: 1, availableReplicas: 1, replicas: 1 },
  };
}

export const TEST_SCENARIO = `apiVersion: firedrill/v1
kind: Scenario
metadata: {id: staged-delay, title: Staged delay}
spec:
  app: shop
  seed: 7
  load: {rps: 5}
  faults:
    - {type: test-delay, target: shop/Deployment/payment, params: {delayMs: 500}, at: 5s}
  observe:
    warmup: 10s
    window: {before: 10s, after: 4s}
    until: {alerts: [TestHighLatency]}
    timeout: 60s
`;

/** Objects whose Deployments roll out the moment they are applied, as if a controller were instant. */
export class InstantRolloutObjects extends MemoryObjects {
  override async apply(obj: KubeObject): Promise<KubeObject> {
    if (obj.kind !== 'Deployment') return super.apply(obj);
    const generation = (obj.metadata.generation ?? 0) + 1;
    const replicas = Number(obj.spec?.replicas ?? 1);
    return super.apply({
      ...obj,
      metadata: { ...obj.metadata, generation },
      status: {
        observedGeneration: generation,
        updatedReplicas: replicas,
        availableReplicas: replicas,
        replicas,
      },
    });
  }
}

/** Everything a run touches, in memory: objects, alerts on a schedule, a manual clock, a journal. */
export interface StagedWorld {
  scenario: Scenario;
  substrate: FakeSubstrate;
  prometheus: FakePrometheus;
  clock: ManualClock;
  journal: TestFaultJournal;
  phases: string[];
  progress: ProgressReporter;
  registry: ReturnType<typeof testRegistry>;
  logger: ReturnType<typeof silentLogger>;
}

/**
 * A world in which `TestHighLatency` starts firing on payment at the `fireAtPoll`-th poll of
 * Prometheus' alerts (never when undefined).
 */
export function stagedWorld(
  opts: {
    scenarioText?: string;
    fireAtPoll?: number;
    /** `activeAt` of the staged alert (ISO); none by default. */
    alertActiveAt?: string;
    logs?: LogRecord[];
    spans?: SpanRecord[];
  } = {},
): StagedWorld {
  const journal: TestFaultJournal = { entries: [] };
  const registry = testRegistry(journal);
  const scenario = loadScenarioText(opts.scenarioText ?? TEST_SCENARIO, 'staged.yaml', registry);
  const target = {
    ...fakeTarget(),
    objects: new InstantRolloutObjects([
      readyDeployment('firedrill-system', 'loadgen'),
      readyDeployment('shop', 'payment'),
      readyDeployment('shop', 'frontend'),
    ]),
  };
  const alerts = (poll: number): PrometheusAlert[] =>
    opts.fireAtPoll !== undefined && poll >= opts.fireAtPoll
      ? [
          {
            labels: { alertname: 'TestHighLatency', namespace: 'shop', service: 'payment' },
            annotations: {},
            state: 'firing',
            // Prometheus' time of the first pending evaluation; a staged alert has none unless asked for.
            ...(opts.alertActiveAt !== undefined ? { activeAt: opts.alertActiveAt } : {}),
            value: '1',
          },
        ]
      : [];
  const prometheus = new FakePrometheus({ alerts });
  const capture: CaptureSources = {
    prometheus,
    objects: target.objects,
    events: async () => [],
    logs: async () => opts.logs ?? [],
    traces: async () => opts.spans ?? [],
  };
  const substrate = new FakeSubstrate('local', { faultTarget: target, capture });
  const phases: string[] = [];
  return {
    scenario,
    substrate,
    prometheus,
    clock: new ManualClock(),
    journal,
    phases,
    progress: { phase: (name) => void phases.push(name) },
    registry,
    logger: silentLogger(),
  };
}
