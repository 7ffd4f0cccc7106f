// One reconcile pass of the local substrate's controllers (ReplicaSets, Deployments, ReplicaSets again)
// at the shop's size: 12 Deployments of 2 replicas, each with 3 older ReplicaSets at zero, and a few
// hundred Events in the namespace. The pass runs on the runner's event loop, the loop that also carries
// every Service proxy's traffic, so its duration is added to calls that arrive during it.
//   npx tsx bench/controller-pass.ts [--passes 300]
import type { Deployment, Pod } from '../src/kube/typed-objects.js';
import type { PodLifecycle } from '../src/substrates/local/controller-support.js';
import { DeploymentController } from '../src/substrates/local/deployment-controller.js';
import { EventRecorder } from '../src/substrates/local/event-recorder.js';
import { ObjectStore } from '../src/substrates/local/object-store.js';
import { ReplicaSetController } from '../src/substrates/local/replicaset-controller.js';
import { ManualClock } from '../src/util/manual-clock.js';

const passesAt = process.argv.indexOf('--passes');
const passes = passesAt > 0 ? Number(process.argv[passesAt + 1]) : 300;

class ReadyKubelet implements PodLifecycle {
  constructor(private readonly store: ObjectStore) {}
  createPod(pod: Pod): void {
    this.store.apply({ ...pod, spec: { containers: [], ...pod.spec, nodeName: 'worker-1' } });
    this.store.updateStatus('Pod', pod.metadata.namespace, pod.metadata.name, { phase: 'Running' });
  }
  deletePod(namespace: string, name: string): void {
    this.store.delete('Pod', namespace, name);
  }
  isReady(): boolean {
    return true;
  }
  isTerminating(): boolean {
    return false;
  }
}

const deployment = (name: string, revision: number): Deployment => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'shop' },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name }, annotations: { 'shop/config-revision': String(revision) } },
      spec: {
        containers: [
          {
            name,
            image: 'firedrill/shop:0.1.0',
            env: Array.from({ length: 12 }, (_, i) => ({ name: `SETTING_${i}`, value: `value-${i}` })),
            ports: [{ name: 'http', containerPort: 8080 }],
            readinessProbe: { httpGet: { path: '/readyz', port: 'http' }, periodSeconds: 5 },
            livenessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 10 },
            resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
          },
        ],
      },
    },
  },
});

const clock = new ManualClock(Date.parse('2026-12-06T10:00:00Z'));
const store = new ObjectStore(clock);
const events = new EventRecorder(store, clock, 'worker-1');
const kubelet = new ReadyKubelet(store);
const deployments = new DeploymentController(store, events, clock);
const replicaSets = new ReplicaSetController(store, events, kubelet);
const pass = (): void => {
  replicaSets.reconcileAll();
  deployments.reconcileAll();
  replicaSets.reconcileAll();
};

const names = ['accounting', 'cart', 'catalog', 'checkout', 'currency', 'flags', 'frontend'];
names.push('fulfillment', 'inventory', 'loadgen', 'payment', 'shipping');
// Four rollouts each: the history a working cluster has.
for (let rev = 1; rev <= 4; rev++) {
  for (const n of names) store.apply(deployment(n, rev));
  for (let i = 0; i < 20; i++) {
    void clock.advance(1000);
    pass();
  }
}
for (let i = 0; i < 300; i++)
  events.record(
    { kind: 'Pod', metadata: { name: `noise-${i}`, namespace: 'shop' } },
    'Normal',
    'Pulled',
    `Container image "firedrill/shop:0.1.0" already present on machine (${i})`,
    'kubelet',
  );

const ms: number[] = [];
for (let i = 0; i < passes; i++) {
  const t = process.hrtime.bigint();
  pass();
  ms.push(Number(process.hrtime.bigint() - t) / 1e6);
}
ms.sort((a, b) => a - b);
const q = (p: number): string => ms[Math.min(ms.length - 1, Math.floor(p * ms.length))].toFixed(2);
const counts = ['Deployment', 'ReplicaSet', 'Pod', 'Event'].map((k) => `${store.list(k).length} ${k}s`);
console.log(`objects: ${counts.join(', ')}`);
console.log(`controller pass over ${passes} passes: median ${q(0.5)} ms, p95 ${q(0.95)} ms, max ${q(1)} ms`);
