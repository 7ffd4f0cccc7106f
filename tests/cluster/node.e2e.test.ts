import { KubeConfig } from '@kubernetes/client-node';
import { parseEntityId } from '../../src/entities/entity-id.js';
import { FAULT_TYPES } from '../../src/faults/catalog.js';
import type { AnyFaultType, FaultContext, Undo } from '../../src/faults/fault-type.js';
import { HttpClusterApi } from '../../src/kube/http-cluster-api.js';
import type { KubeObject } from '../../src/kube/kube-object.js';
import { KubeConfigTransport } from '../../src/kube/kubeconfig-transport.js';
import { silentLogger } from '../../src/logging/logger.js';
import { applyOrder } from '../../src/manifests/apply-order.js';
import { loadManifests, SHOP_MANIFESTS_DIR } from '../../src/manifests/index.js';
import { waitDeploymentsReady } from '../../src/substrates/wait-healthy.js';
import { clusterUnavailable } from '../../src/airgap/cluster-prerequisites.js';
import { AirgapCluster } from '../../src/airgap/airgap-cluster.js';
import { CLOSED_REGISTRY, PAUSE_IMAGE } from '../../src/airgap/node/node-config.js';
import { waitFor } from '../../src/util/wait-for.js';

/**
 * The shop on real Kubernetes on this machine (stage B of docs/air-gapped.md): a AirgapControlPlane plus a
 * AirgapNode (containerd + runc + bridge CNI, kubelet, kube-scheduler, kube-proxy, CoreDNS), every binary
 * built from Go modules and every image built locally (scripts/make-local-images.sh). Deploys
 * manifests/shop unchanged, waits for real readiness probes, then injects faults and watches the kubelet
 * react: CrashLoopBackOff, OOMKilled by the kernel, ErrImagePull. Opt-in: FIREDRILL_E2E=cluster; root.
 */

const IMAGES = ['acme/shop:0.1.0', 'redis:7.0.15', 'postgres:15', PAUSE_IMAGE];

function skipReason(): string | undefined {
  if (process.env.FIREDRILL_E2E !== 'cluster') return 'FIREDRILL_E2E=cluster not set';
  return clusterUnavailable(IMAGES);
}

const reason = skipReason();
if (reason) console.log(`tests/cluster/node.e2e.test.ts skipped: ${reason}`);
const suite = reason ? describe.skip : describe;

const NAMESPACES = ['shop', 'firedrill-system'];
interface PodStatus {
  phase?: string;
  containerStatuses?: Array<{
    name: string;
    ready: boolean;
    restartCount: number;
    state?: { waiting?: { reason?: string; message?: string } };
    lastState?: { terminated?: { reason?: string; exitCode?: number } };
  }>;
}
const statusOf = (p: KubeObject): PodStatus => (p.status ?? {}) as PodStatus;

suite('the shop on a real node: kubelet, containerd, CNI, scheduler, kube-proxy, CoreDNS', () => {
  let cluster: AirgapCluster | undefined;
  let api: HttpClusterApi;
  const undos: Undo[] = [];

  const faultType = (id: string): AnyFaultType => {
    const t = FAULT_TYPES.find((f) => f.id === id);
    if (!t) throw new Error(`no fault type ${id}`);
    return t;
  };
  const inject = async (id: string, target: string, params: unknown): Promise<Undo> => {
    const type = faultType(id);
    const ctx: FaultContext<unknown> = {
      substrate: 'kubeconfig',
      target: {
        objects: api,
        flags: { set: () => Promise.reject(new Error('no flags here')), remove: () => Promise.resolve() },
        redis: { command: () => Promise.reject(new Error('no redis admin here')) },
        chaos: { start: () => Promise.reject(new Error('no chaos engine here')) },
      },
      entity: parseEntityId(target),
      params: type.params.parse(params),
      logger: silentLogger(),
      signal: new AbortController().signal,
    };
    const undo = await type.inject(ctx);
    undos.push(undo);
    return undo;
  };
  const podsOf = (app: string): Promise<KubeObject[]> =>
    api.list('Pod', 'shop', { 'app.kubernetes.io/name': app });

  beforeAll(async () => {
    // What an interrupted earlier run left (its processes outlive a killed jest).
    await AirgapCluster.cleanStale();
    cluster = await AirgapCluster.start({ images: IMAGES });
    const kc = new KubeConfig();
    kc.loadFromFile(cluster.kubeconfigPath);
    api = new HttpClusterApi(new KubeConfigTransport(kc));
    const objects = (await loadManifests(SHOP_MANIFESTS_DIR)) as unknown as KubeObject[];
    for (const o of applyOrder(objects)) await api.apply(o);
  }, 600_000);

  afterAll(async () => {
    for (const u of undos.reverse()) await u.undo().catch(() => undefined);
    await cluster?.stop();
  }, 300_000);

  it('runs every Deployment of manifests/shop to ready, through real readiness probes', async () => {
    await waitDeploymentsReady(api, NAMESPACES, 300_000);
    const pods = [...(await api.list('Pod', 'shop')), ...(await api.list('Pod', 'firedrill-system'))];
    const notRunning = pods.filter((p) => statusOf(p).phase !== 'Running').map((p) => p.metadata.name);
    expect(notRunning).toEqual([]);
    expect(pods.every((p) => (p.spec as { nodeName?: string }).nodeName === cluster?.node.nodeName)).toBe(
      true,
    );
  }, 320_000);

  it('serves container logs through the API server (the frontend logs the requests the load sends)', async () => {
    const [frontend] = await podsOf('frontend');
    const text = await waitFor(
      'frontend log lines',
      async () => {
        const t = await api.podLog('shop', frontend.metadata.name, { container: 'frontend' });
        return t.includes('"msg"') ? t : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 1000 },
    );
    expect(text).toMatch(/"level":/);
  }, 90_000);

  it('crash-loop: the kubelet restarts the container and backs off (CrashLoopBackOff)', async () => {
    const undo = await inject('crash-loop', 'shop/Deployment/currency', {});
    try {
      const looping = await waitFor(
        'a currency pod in CrashLoopBackOff',
        async () =>
          (await podsOf('currency')).find((p) =>
            statusOf(p).containerStatuses?.some((c) => c.state?.waiting?.reason === 'CrashLoopBackOff'),
          ),
        { timeoutMs: 180_000, intervalMs: 1000 },
      );
      const c = statusOf(looping).containerStatuses?.[0];
      expect(c?.restartCount).toBeGreaterThan(0);
      const previous = await api.podLog('shop', looping.metadata.name, {
        container: 'currency',
        previous: true,
      });
      expect(previous.length).toBeGreaterThan(0);
      const events = await api.events();
      expect(
        events.some(
          (e) => e.reason === 'BackOff' && String(e.message).includes('restarting failed container'),
        ),
      ).toBe(true);
    } finally {
      await undo.undo();
      await waitDeploymentsReady(api, ['shop'], 180_000);
    }
  }, 400_000);

  it('memory-limit: the kernel OOM-kills the container and the kubelet reports OOMKilled', async () => {
    const undo = await inject('memory-limit', 'shop/Deployment/payment', { limit: '40Mi' });
    try {
      const killed = await waitFor(
        'a payment pod whose container was OOMKilled',
        async () =>
          (await podsOf('payment')).find((p) =>
            statusOf(p).containerStatuses?.some((c) => c.lastState?.terminated?.reason === 'OOMKilled'),
          ),
        { timeoutMs: 180_000, intervalMs: 1000 },
      );
      expect(statusOf(killed).containerStatuses?.[0]?.lastState?.terminated?.exitCode).toBe(137);
    } finally {
      await undo.undo();
      await waitDeploymentsReady(api, ['shop'], 180_000);
    }
  }, 400_000);

  it('image-not-found: the pull fails against the closed registry (nothing leaves the machine)', async () => {
    const undo = await inject('image-not-found', 'shop/Deployment/checkout', {});
    try {
      const waiting = await waitFor(
        'a checkout pod waiting in ErrImagePull or ImagePullBackOff',
        async () =>
          (await podsOf('checkout')).find((p) =>
            statusOf(p).containerStatuses?.some((c) =>
              ['ErrImagePull', 'ImagePullBackOff'].includes(c.state?.waiting?.reason ?? ''),
            ),
          ),
        { timeoutMs: 180_000, intervalMs: 1000 },
      );
      expect(waiting.metadata.name).toMatch(/^checkout-/);
      const failed = (await api.events()).find(
        (e) => e.reason === 'Failed' && String(e.message).includes('acme/shop:0.1.1'),
      );
      expect(String(failed?.message)).toContain(CLOSED_REGISTRY.replace('http://', ''));
      // The old pod keeps serving while the new one cannot start (maxUnavailable 0).
      const ready = (await podsOf('checkout')).filter((p) => statusOf(p).containerStatuses?.[0]?.ready);
      expect(ready.length).toBe(1);
    } finally {
      await undo.undo();
      await waitDeploymentsReady(api, ['shop'], 180_000);
    }
  }, 400_000);
});
