import type { KubeObject } from '../../kube/kube-object.js';
import { CADVISOR_PATH, KubeStateExporter, renderKubeState } from './kube-state-exporter.js';

function render(objects: KubeObject[]): string[] {
  return renderKubeState({
    objects: (kind) => objects.filter((o) => o.kind === kind),
    usage: () => undefined,
  })
    .split('\n')
    .filter((l) => l && !l.startsWith('#'));
}

describe('renderKubeState', () => {
  it("publishes a failed Job's series with kube-state-metrics' failure reasons", () => {
    const lines = render([
      {
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: {
          name: 'cart-cleanup-1',
          namespace: 'shop',
          creationTimestamp: '2025-01-01T00:00:00.000Z',
        },
        spec: { parallelism: 1, completions: 1, backoffLimit: 1, template: { spec: { containers: [] } } },
        status: {
          failed: 2,
          startTime: '2025-01-01T00:00:01.000Z',
          conditions: [
            { type: 'FailureTarget', status: 'True', reason: 'BackoffLimitExceeded' },
            { type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded' },
          ],
        },
      },
    ]);
    const job = 'namespace="shop",job_name="cart-cleanup-1"';
    expect(lines).toEqual(
      expect.arrayContaining([
        `kube_job_info{${job}} 1`,
        `kube_job_created{${job}} 1735689600`,
        `kube_job_spec_parallelism{${job}} 1`,
        `kube_job_spec_completions{${job}} 1`,
        `kube_job_status_failed{${job},reason="BackoffLimitExceeded"} 1`,
        `kube_job_status_failed{${job},reason="DeadlineExceeded"} 0`,
        `kube_job_status_failed{${job},reason="Evicted"} 0`,
        `kube_job_status_succeeded{${job}} 0`,
        `kube_job_status_active{${job}} 0`,
        `kube_job_failed{${job},condition="true"} 1`,
        `kube_job_failed{${job},condition="false"} 0`,
        `kube_job_status_start_time{${job}} 1735689601`,
        `kube_job_owner{${job},owner_kind="",owner_name="",owner_is_controller=""} 1`,
      ]),
    );
    expect(lines.some((l) => l.startsWith('kube_job_complete{'))).toBe(false);
  });

  it("publishes ReplicaSets with their owner, and pods with kube-state-metrics' labels", () => {
    const lines = render([
      {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: {
          name: 'cart-7d9f8c6b45',
          namespace: 'shop',
          generation: 3,
          ownerReferences: [
            { apiVersion: 'apps/v1', kind: 'Deployment', name: 'cart', uid: 'd1', controller: true },
          ],
        },
        spec: { replicas: 0, selector: {} },
        status: { replicas: 0, observedGeneration: 3 },
      },
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'seed-4xk2p', namespace: 'shop', uid: 'p1' },
        spec: { nodeName: 'worker-1', containers: [{ name: 'seed' }] },
        status: {
          phase: 'Succeeded',
          hostIP: '127.0.0.1',
          podIP: '127.64.1.2',
          conditions: [{ type: 'Ready', status: 'False', reason: 'PodCompleted' }],
          containerStatuses: [
            {
              name: 'seed',
              image: 'x',
              imageID: '',
              ready: false,
              restartCount: 0,
              state: { terminated: { exitCode: 0, reason: 'Completed' } },
            },
          ],
        },
      },
    ]);
    const rs = 'namespace="shop",replicaset="cart-7d9f8c6b45"';
    const pod = 'namespace="shop",pod="seed-4xk2p",uid="p1"';
    expect(lines).toEqual(
      expect.arrayContaining([
        `kube_replicaset_spec_replicas{${rs}} 0`,
        `kube_replicaset_status_replicas{${rs}} 0`,
        `kube_replicaset_metadata_generation{${rs}} 3`,
        `kube_replicaset_status_observed_generation{${rs}} 3`,
        `kube_replicaset_owner{${rs},owner_kind="Deployment",owner_name="cart",owner_is_controller="true"} 1`,
        `kube_pod_info{${pod},host_ip="127.0.0.1",pod_ip="127.64.1.2",node="worker-1",created_by_kind="",created_by_name="",priority_class="",host_network="false"} 1`,
        `kube_pod_owner{${pod},owner_kind="",owner_name="",owner_is_controller=""} 1`,
        `kube_pod_status_phase{${pod},phase="Succeeded"} 1`,
        `kube_pod_status_phase{${pod},phase="Running"} 0`,
        `kube_pod_status_ready{${pod},condition="false"} 1`,
        `kube_pod_container_status_terminated{${pod},container="seed"} 1`,
        `kube_pod_container_status_terminated_reason{${pod},container="seed",reason="Completed"} 1`,
        `kube_pod_container_status_waiting{${pod},container="seed"} 0`,
      ]),
    );
  });
});

describe('KubeStateExporter', () => {
  it("serves kube-state-metrics' series on /metrics and the containers' usage on /metrics/cadvisor", async () => {
    const pod: KubeObject = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'cart-1', namespace: 'shop', uid: 'u1' },
      spec: { containers: [{ name: 'cart' }] },
      status: {
        phase: 'Running',
        containerStatuses: [
          { name: 'cart', restartCount: 0, ready: true, image: 'x', imageID: '', state: { running: {} } },
        ],
      },
    };
    const exporter = new KubeStateExporter({
      objects: (kind) => (kind === 'Pod' ? [pod] : []),
      usage: () => ({ cpuSeconds: 1, rssBytes: 900 }),
    });
    await exporter.start();
    try {
      const get = (path: string) => fetch(`http://127.0.0.1:${exporter.port}${path}`).then((r) => r.text());
      const state = await get('/metrics');
      const cadvisor = await get(CADVISOR_PATH);
      expect(state).toContain('kube_pod_info{');
      expect(state).not.toContain('container_cpu_usage_seconds_total');
      expect(cadvisor).toContain('container_cpu_usage_seconds_total{');
      expect(cadvisor).not.toContain('kube_pod_info');
    } finally {
      await exporter.stop();
    }
  });
});
