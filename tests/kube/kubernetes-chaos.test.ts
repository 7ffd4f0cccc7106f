// The Kubernetes substrates' chaos engine end to end against the HTTP fake API server: installed only when
// asked for, an existing Chaos Mesh used as it is, an experiment started and stopped through FaultTarget.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidInputError } from '../../src/errors/invalid-input-error.js';
import type { KubeObject } from '../../src/kube/kube-object.js';
import { silentLogger } from '../../src/logging/logger.js';
import { KubeconfigSubstrate } from '../../src/substrates/kubeconfig/kubeconfig-substrate.js';
import { needsChaosEngine } from '../../src/cli/support/substrate-options.js';
import { FakeApiServer, type FakeApiServerOptions } from './fake-api-server.js';

const signal = new AbortController().signal;
const progress = { phase: () => undefined };

/** A Chaos Mesh someone installed with Helm: its namespace (no firedrill label), ready controller and daemons. */
const EXISTING: KubeObject[] = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'chaos-mesh' } },
  {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'chaos-controller-manager', namespace: 'chaos-mesh', generation: 1 },
    spec: { replicas: 1 },
    status: {
      observedGeneration: 1,
      replicas: 1,
      updatedReplicas: 1,
      readyReplicas: 1,
      availableReplicas: 1,
    },
  },
  {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'chaos-daemon', namespace: 'chaos-mesh' },
    status: { desiredNumberScheduled: 2, numberReady: 2 },
  },
  {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'cart-5f6d7c8b9-h8j2k',
      namespace: 'shop',
      labels: { 'app.kubernetes.io/name': 'cart', 'app.kubernetes.io/part-of': 'shop' },
    },
    status: { phase: 'Running' },
  },
] as KubeObject[];

describe('Kubernetes substrates: the chaos engine', () => {
  let fake: FakeApiServer;
  let dir: string;

  async function substrate(
    chaosMesh: boolean,
    opts: FakeApiServerOptions = {},
  ): Promise<KubeconfigSubstrate> {
    fake = await FakeApiServer.start({ autoReady: true, chaosMesh: 'inject', ...opts });
    dir = await mkdtemp(join(tmpdir(), 'firedrill-chaos-'));
    await writeFile(join(dir, 'config'), fake.kubeconfigYaml('lab'));
    const s = new KubeconfigSubstrate({
      logger: silentLogger(),
      kubeconfigPath: join(dir, 'config'),
      context: 'lab',
      readyTimeoutMs: 5000,
      chaosMesh,
      chaosTimeoutMs: 3000,
      portForwardFor: () => async () => () => undefined,
    });
    await s.up(signal, progress);
    return s;
  }

  afterEach(async () => {
    await fake.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('installs nothing when no scenario needs it, and refuses experiments then', async () => {
    const s = await substrate(false);
    expect(fake.requests.some((r) => r.path.includes('chaos-mesh'))).toBe(false);
    const start = s.faultTarget.chaos.start(
      { kind: 'stress', workload: { namespace: 'shop', name: 'cart' }, cpu: { workers: 1, load: 50 } },
      signal,
    );
    await expect(start).rejects.toBeInstanceOf(InvalidInputError);
    await expect(start).rejects.toThrow('Chaos Mesh was not installed on the kubeconfig substrate');
    await s.down();
  });

  it('uses a Chaos Mesh it finds, runs an experiment through it, and leaves the install on down', async () => {
    const s = await substrate(true, { objects: EXISTING });
    const running = await s.faultTarget.chaos.start(
      { kind: 'stress', workload: { namespace: 'shop', name: 'cart' }, cpu: { workers: 1, load: 50 } },
      signal,
    );
    const created = [...fake.store.keys()].filter((k) => k.startsWith('StressChaos/chaos-mesh/stress-cart-'));
    expect(created).toHaveLength(1);
    await running.stop();
    expect([...fake.store.keys()].filter((k) => k.startsWith('StressChaos/'))).toEqual([]);
    await s.down();
    expect(fake.requests.filter((r) => r.method === 'DELETE' && r.path.includes('chaos-mesh'))).toHaveLength(
      1,
    );
    expect(fake.store.has('Namespace//chaos-mesh')).toBe(true);
  });

  it('asks for the engine only when a scenario has a chaos fault', () => {
    const run = (...types: string[]) => [{ spec: { faults: types.map((type) => ({ type })) } }];
    expect(needsChaosEngine(run('app-latency', 'pod-kill'))).toBe(false);
    expect(needsChaosEngine(run('app-latency', 'network-delay'))).toBe(true);
    expect(needsChaosEngine(run('clock-skew'))).toBe(true);
  });
});
