// The local chaos engine with real neighbour processes (the node runtime the kubelet uses) over an
// object store holding one Deployment with one running pod.
import { InvalidInputError } from '../../errors/invalid-input-error.js';
import type { KubeObject } from '../../kube/kube-object.js';
import { silentLogger } from '../../logging/logger.js';
import { systemClock } from '../../util/clock.js';
import { REPO_ROOT } from '../../version.js';
import { LocalChaos } from './local-chaos.js';
import { ObjectStore } from './object-store.js';
import type { ContainerProcess } from './container-runtime.js';
import { procCpuSeconds } from './cpu-quota.js';
import { ProcessContainerRuntime } from './process-container-runtime.js';

const MIB = 1024 * 1024;
const POD_IP = '127.55.1.1';

function objects(cpuLimit = '500m'): KubeObject[] {
  const meta = (name: string, owner?: { kind: string; name: string }) => ({
    name,
    namespace: 'shop',
    ...(owner ? { ownerReferences: [{ apiVersion: 'apps/v1', ...owner, uid: `uid-${owner.name}` }] } : {}),
  });
  return [
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta('cart'), spec: {} },
    {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: meta('cart-1', { kind: 'Deployment', name: 'cart' }),
    },
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: meta('cart-1-a', { kind: 'ReplicaSet', name: 'cart-1' }),
      spec: { containers: [{ name: 'cart', image: 'shop', resources: { limits: { cpu: cpuLimit } } }] },
    },
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta('idle'), spec: {} },
  ] as KubeObject[];
}

function engine(cpuLimit?: string, container?: ContainerProcess): LocalChaos {
  const store = new ObjectStore(systemClock);
  for (const o of objects(cpuLimit)) store.apply(o);
  return new LocalChaos({
    containerProcess: (ns, name) => (ns === 'shop' && name === 'cart-1-a' ? container : undefined),
    store,
    runtime: new ProcessContainerRuntime(),
    logger: silentLogger(),
    repoRoot: REPO_ROOT,
    podIps: () => new Map([['shop/cart-1-a', POD_IP]]),
    isRunning: (ns, name) => ns === 'shop' && name === 'cart-1-a',
    usagePollMs: 200,
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const signal = new AbortController().signal;

describe('LocalChaos', () => {
  let chaos: LocalChaos | undefined;
  afterEach(async () => {
    await chaos?.stop();
    chaos = undefined;
  });

  it("names the workload of a pod's address through its owners", () => {
    chaos = engine();
    expect(chaos.workloadAt(POD_IP)).toEqual({ namespace: 'shop', name: 'cart' });
    expect(chaos.workloadAt('127.55.9.9')).toBeUndefined();
  });

  it('a CPU neighbour is counted in the pod, capped at its CPU limit, and stops on undo', async () => {
    chaos = engine('250m');
    const running = await chaos.start(
      { kind: 'stress', workload: { namespace: 'shop', name: 'cart' }, cpu: { workers: 1, load: 100 } },
      signal,
    );
    await sleep(2000);
    const busy = chaos.extraUsage('shop', 'cart-1-a');
    // 0.25 cores for ~2 s: about half a CPU second (generous bounds: the machine is shared).
    expect(busy?.cpuSeconds).toBeGreaterThan(0.2);
    expect(busy?.cpuSeconds).toBeLessThan(1.2);
    await running.stop();
    const after = chaos.extraUsage('shop', 'cart-1-a');
    // The container's CPU counter never goes back; nothing is resident any more.
    expect(after?.cpuSeconds).toBeGreaterThanOrEqual(busy?.cpuSeconds ?? 0);
    expect(after?.rssBytes).toBe(0);
  }, 15_000);

  it('holds a busy container and its CPU neighbour to the container limit together, and lets go on undo', async () => {
    const app = await new ProcessContainerRuntime().start({
      id: 'shop/cart-1-a/cart',
      command: process.execPath,
      args: ['-e', 'for (;;) {}'],
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
      cwd: REPO_ROOT,
      onLine: () => undefined,
    });
    try {
      chaos = engine('400m', app);
      const running = await chaos.start(
        { kind: 'stress', workload: { namespace: 'shop', name: 'cart' }, cpu: { workers: 1, load: 100 } },
        signal,
      );
      const app0 = procCpuSeconds(app.pid) ?? 0;
      const both0 = app0 + (chaos.extraUsage('shop', 'cart-1-a')?.cpuSeconds ?? 0);
      const t0 = performance.now();
      await sleep(3000);
      const appShare = ((procCpuSeconds(app.pid) ?? 0) - app0) / ((performance.now() - t0) / 1000);
      // Unthrottled, the busy app alone would use a whole core; together they get 0.4 of one.
      expect(appShare).toBeLessThan(0.4);
      const both = (procCpuSeconds(app.pid) ?? 0) + (chaos.extraUsage('shop', 'cart-1-a')?.cpuSeconds ?? 0);
      expect((both - both0) / ((performance.now() - t0) / 1000)).toBeLessThan(0.75);
      await running.stop();
      // Let go: it runs freely again (loosely: other test workers share the machine).
      const free0 = procCpuSeconds(app.pid) ?? 0;
      await sleep(600);
      expect((procCpuSeconds(app.pid) ?? 0) - free0).toBeGreaterThan(0.1);
    } finally {
      await app.stop(1000);
    }
  }, 20_000);

  it('a memory neighbour holds its size resident in the pod until undone', async () => {
    chaos = engine();
    const running = await chaos.start(
      {
        kind: 'stress',
        workload: { namespace: 'shop', name: 'cart' },
        memory: { workers: 1, sizeBytes: 64 * MIB },
      },
      signal,
    );
    await sleep(600);
    expect(chaos.extraUsage('shop', 'cart-1-a')?.rssBytes).toBeGreaterThan(64 * MIB);
    await running.stop();
    expect(chaos.extraUsage('shop', 'cart-1-a')?.rssBytes).toBe(0);
  }, 15_000);

  it('network and lookup experiments become proxy rules, removed on undo', async () => {
    chaos = engine();
    const running = await chaos.start(
      {
        kind: 'network',
        action: 'partition',
        from: { namespace: 'shop', name: 'cart' },
        to: { namespace: 'shop', name: 'cart' },
        direction: 'both',
      },
      signal,
    );
    expect(chaos.rules.size).toBe(1);
    await running.stop();
    expect(chaos.rules.size).toBe(0);
  });

  it('refuses a workload without running pods, and the kinds it has no mechanism for', async () => {
    chaos = engine();
    const idle = chaos.start(
      { kind: 'stress', workload: { namespace: 'shop', name: 'idle' }, cpu: { workers: 1, load: 50 } },
      signal,
    );
    await expect(idle).rejects.toThrow(
      new InvalidInputError('stressed Deployment shop/idle has no running pod to select'),
    );
    const io = chaos.start(
      {
        kind: 'io',
        workload: { namespace: 'shop', name: 'cart' },
        volumePath: '/tmp',
        delayMs: 10,
        percent: 100,
      },
      signal,
    );
    await expect(io).rejects.toBeInstanceOf(InvalidInputError);
    expect(chaos.rules.size).toBe(0);
  });

  it('clear takes back every rule and neighbour (the reset between runs)', async () => {
    chaos = engine();
    await chaos.start(
      { kind: 'dns', action: 'error', from: { namespace: 'shop', name: 'cart' }, names: ['catalog'] },
      signal,
    );
    await chaos.start(
      {
        kind: 'stress',
        workload: { namespace: 'shop', name: 'cart' },
        memory: { workers: 1, sizeBytes: MIB },
      },
      signal,
    );
    await chaos.clear();
    expect(chaos.rules.size).toBe(0);
    expect(chaos.extraUsage('shop', 'cart-1-a')?.rssBytes ?? 0).toBe(0);
  }, 15_000);
});
