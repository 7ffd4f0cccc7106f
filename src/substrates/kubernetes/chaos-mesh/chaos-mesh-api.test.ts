// ChaosMeshApi through the real client layer against the HTTP fake API server, which plays Chaos Mesh's
// controller: records per selected pod, AllInjected, and its finalizer on delete.
import { FiredrillError } from '../../../errors/firedrill-error.js';
import { InvalidInputError } from '../../../errors/invalid-input-error.js';
import { HttpClusterApi } from '../../../kube/http-cluster-api.js';
import { KubeConfigTransport } from '../../../kube/kubeconfig-transport.js';
import { silentLogger } from '../../../logging/logger.js';
import type { NetworkExperiment, StressExperiment } from '../../../platform/chaos-api.js';
import { asLive, loadShopObjects, type ShopObjects } from '../../../../tests/fixtures/faults/fault-kit.js';
import { FakeApiServer, type FakeApiServerOptions } from '../../../../tests/kube/fake-api-server.js';
import { ChaosMeshApi, FORCE_CLEAN_ANNOTATION } from './chaos-mesh-api.js';

const STRESS: StressExperiment = {
  kind: 'stress',
  workload: { namespace: 'shop', name: 'cart' },
  cpu: { workers: 1, load: 100 },
};
const PATH = '/apis/chaos-mesh.org/v1alpha1/namespaces/chaos-mesh/stresschaos/stress-cart-abc123';
const KEY = 'StressChaos/chaos-mesh/stress-cart-abc123';

describe('ChaosMeshApi', () => {
  let shop: ShopObjects;
  let fake: FakeApiServer | undefined;
  beforeAll(async () => {
    shop = await loadShopObjects();
  });
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });

  async function api(opts: FakeApiServerOptions): Promise<ChaosMeshApi> {
    fake = await FakeApiServer.start({ objects: shop.all.map((o, i) => asLive(o, i + 1)), ...opts });
    return new ChaosMeshApi({
      objects: new HttpClusterApi(new KubeConfigTransport(fake.kubeConfig())),
      logger: silentLogger(),
      pollMs: 10,
      timeoutMs: 300,
      suffix: () => 'abc123',
    });
  }
  const writes = () =>
    (fake?.requests ?? []).filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.path}`);

  it('is in force once every selected pod is recorded injected; stop deletes and waits until it is gone', async () => {
    const chaos = await api({ chaosMesh: 'inject' });
    const running = await chaos.start(STRESS, new AbortController().signal);
    expect(running.description).toBe(
      'delete StressChaos chaos-mesh/stress-cart-abc123 and wait for Chaos Mesh to recover its pods',
    );
    const live = fake?.store.get(KEY);
    expect(live?.status).toMatchObject({
      experiment: { containerRecords: [{ id: 'shop/cart-5f6d7c8b9-h8j2k', phase: 'Injected' }] },
    });
    await running.stop();
    expect(writes()).toEqual([`PATCH ${PATH}`, `DELETE ${PATH}`]);
    expect(fake?.store.has(KEY)).toBe(false);
  });

  it('fails when Chaos Mesh never injects, quoting its failure, and leaves no resource behind', async () => {
    const chaos = await api({ chaosMesh: 'never' });
    const err = await chaos.start(STRESS, new AbortController().signal).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FiredrillError);
    expect((err as Error).message).toBe(
      'Chaos Mesh did not report StressChaos chaos-mesh/stress-cart-abc123 injected within 0.3 s: shop/cart-5f6d7c8b9-h8j2k: Apply rpc error: code = Unavailable desc = connection refused',
    );
    expect(writes()).toEqual([`PATCH ${PATH}`, `DELETE ${PATH}`]);
    expect(fake?.store.has(KEY)).toBe(false);
  });

  it('says so when the experiment selected no pod', async () => {
    const chaos = await api({ chaosMesh: 'inject' });
    const err = await chaos
      .start({ ...STRESS, workload: { namespace: 'shop', name: 'frontend' } }, new AbortController().signal)
      .catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/injected within 0.3 s: it selected no pod$/);
  });

  it('interrupted while waiting (Ctrl-C), it deletes the resource before it rejects', async () => {
    const chaos = await api({ chaosMesh: 'never' });
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('interrupted')), 50);
    await expect(chaos.start(STRESS, ac.signal)).rejects.toThrow('interrupted');
    expect(writes()).toEqual([`PATCH ${PATH}`, `DELETE ${PATH}`]);
    expect(fake?.store.has(KEY)).toBe(false);
  });

  it('a recovery that hangs past the timeout has its finalizer forced off, and the undo fails naming it', async () => {
    const chaos = await api({ chaosMesh: 'inject', chaosMeshRecovery: 'stuck' });
    const running = await chaos.start(STRESS, new AbortController().signal);
    await expect(running.stop()).rejects.toThrow(
      'Chaos Mesh did not recover StressChaos chaos-mesh/stress-cart-abc123 within 0.3 s; its finalizer was forced off',
    );
    expect(writes()).toEqual([`PATCH ${PATH}`, `DELETE ${PATH}`, `PATCH ${PATH}`]);
    const forced = fake?.requests.filter((r) => r.method === 'PATCH')[1];
    expect(JSON.parse(forced?.body ?? '{}')).toMatchObject({
      metadata: { annotations: { [FORCE_CLEAN_ANNOTATION]: 'forced' } },
      spec: { stressors: { cpu: { workers: 1, load: 100 } } },
    });
    expect(fake?.store.has(KEY)).toBe(false);
  });

  it('refuses a port filter NetworkChaos could not honour, before anything is written', async () => {
    const chaos = await api({ chaosMesh: 'inject' });
    const x: NetworkExperiment = {
      kind: 'network',
      action: 'partition',
      from: { namespace: 'shop', name: 'frontend' },
      to: { namespace: 'shop', name: 'cart' },
      direction: 'both',
      port: 9999,
    };
    await expect(chaos.start(x, new AbortController().signal)).rejects.toBeInstanceOf(InvalidInputError);
    expect(writes()).toEqual([]);
  });
});
