import { execFileSync } from 'node:child_process';
import { KubeConfig } from '@kubernetes/client-node';
import { parseEntityId } from '../../src/entities/entity-id.js';
import { FAULT_TYPES } from '../../src/faults/catalog.js';
import type { FaultTarget } from '../../src/platform/fault-target.js';
import type { AnyFaultType, FaultContext } from '../../src/faults/fault-type.js';
import { HttpClusterApi } from '../../src/kube/http-cluster-api.js';
import { objectKey, type KubeObject } from '../../src/kube/kube-object.js';
import { KubeConfigTransport } from '../../src/kube/kubeconfig-transport.js';
import { silentLogger } from '../../src/logging/logger.js';
import { loadManifests, SHOP_MANIFESTS_DIR } from '../../src/manifests/index.js';
import {
  deploymentObjects,
  OBSERVABILITY_MANIFESTS_DIR,
} from '../../src/substrates/kubernetes/deploy-objects.js';
import { K8S_TOOLS_INSTALL, k8sToolsDir, missingK8sTools } from '../../src/airgap/k8s-tools.js';
import { AirgapControlPlane } from '../../src/airgap/control-plane/airgap-control-plane.js';
import { waitFor } from '../../src/util/wait-for.js';
import { validatePaths } from '../../src/scenario/validate-paths.js';
import type { ScenarioFault } from '../../src/scenario/scenario.js';
import { REPO_ROOT } from '../../src/version.js';
import { join } from 'node:path';
import { loadVersions } from '../../src/versions/versions.js';
import { substratesProviding } from '../../src/substrates/registry.js';
import type { ChaosExperiment, RunningChaos } from '../../src/platform/chaos-api.js';
import { ChaosMeshApi } from '../../src/substrates/kubernetes/chaos-mesh/chaos-mesh-api.js';
import { CHAOS_MESH_MANIFESTS_DIR } from '../../src/substrates/kubernetes/chaos-mesh/chaos-mesh-install.js';
import { CHAOS_MESH_NAMESPACE } from '../../src/substrates/kubernetes/chaos-mesh/chaos-resources.js';

/**
 * The client layer (HttpClusterApi over KubeConfigTransport) and the object-mutating fault types against a
 * real kube-apiserver + etcd + kube-controller-manager built from Go modules (make k8s-tools). Opt-in with
 * FIREDRILL_E2E=apiserver; skips, saying why, when that is unset or the binaries are not built. No
 * scheduler or kubelet: pods are created by the controllers but stay Pending, nothing runs.
 *
 * The steps share one cluster and run in order: deploy, re-apply, topology, faults, events, deletion.
 */

function skipReason(): string | undefined {
  if (process.env.FIREDRILL_E2E !== 'apiserver') return 'FIREDRILL_E2E=apiserver not set';
  const dir = k8sToolsDir();
  const missing = missingK8sTools(dir);
  if (missing.length > 0) {
    return `control-plane binaries not built (${missing.join(', ')} missing in ${dir}); run ${K8S_TOOLS_INSTALL}`;
  }
  try {
    execFileSync('openssl', ['version'], { stdio: 'pipe' });
  } catch {
    return 'openssl is not installed (needed for the certificates); apt-get install openssl';
  }
  return undefined;
}

const reason = skipReason();
if (reason) console.log(`tests/apiserver/cluster-api.e2e.test.ts skipped: ${reason}`);
const suite = reason ? describe.skip : describe;

/** Annotations a controller writes on objects firedrill applies; they are not part of the desired state. */
const CONTROLLER_ANNOTATIONS = ['deployment.kubernetes.io/revision'];

/** What an object says, without what the server or controllers fill in (metadata bookkeeping, status). */
function desired(obj: KubeObject | undefined): unknown {
  if (!obj) return undefined;
  const annotations = { ...(obj.metadata.annotations ?? {}) };
  for (const a of CONTROLLER_ANNOTATIONS) delete annotations[a];
  return {
    labels: obj.metadata.labels ?? {},
    annotations,
    spec: obj.spec,
    data: obj.data,
  };
}

type Containers = Array<{
  name: string;
  args?: string[];
  env?: Array<{ name: string; value?: string }>;
  resources?: { limits?: Record<string, string>; requests?: Record<string, string> };
}>;
const containersOf = (d: KubeObject): Containers =>
  (d.spec as { template: { spec: { containers: Containers } } }).template.spec.containers;
const templateAnnotations = (d: KubeObject): Record<string, string> =>
  (d.spec as { template: { metadata?: { annotations?: Record<string, string> } } }).template.metadata
    ?.annotations ?? {};

interface ObjectFaultCase {
  type: string;
  target: string;
  params: Record<string, unknown>;
  /** Makes, on a copy of the target as the server had it, exactly the change the fault must make. */
  change: (obj: KubeObject) => void;
  /** Other objects the fault may change, and the check of that change. */
  alsoChanges?: Record<string, (before: KubeObject, after: KubeObject) => void>;
}

/** The object-mutating faults, with the targets and params of the shipped scenarios that use them. */
const OBJECT_FAULTS: ObjectFaultCase[] = [
  {
    type: 'crash-loop',
    target: 'shop/Deployment/currency',
    params: {},
    change: (d) => {
      containersOf(d)[0].args = ['currency-v2'];
    },
  },
  {
    type: 'env-override',
    target: 'shop/Deployment/cart',
    params: { name: 'CATALOG_URL', value: 'http://catalog:8081' },
    change: (d) => {
      const env = containersOf(d)[0].env ?? [];
      const entry = env.find((e) => e.name === 'CATALOG_URL');
      if (!entry) throw new Error('cart has no CATALOG_URL in its manifest; update this case');
      entry.value = 'http://catalog:8081';
    },
  },
  {
    type: 'memory-limit',
    target: 'shop/Deployment/payment',
    params: { limit: '40Mi' },
    change: (d) => {
      const r = containersOf(d)[0].resources ?? {};
      r.limits = { ...(r.limits ?? {}), memory: '40Mi' };
      // payment requests 64Mi: above the new limit, so the fault lowers it too (the server would refuse it).
      r.requests = { ...(r.requests ?? {}), memory: '40Mi' };
      containersOf(d)[0].resources = r;
    },
  },
  {
    type: 'scale-to-zero',
    target: 'shop/Deployment/shipping',
    params: {},
    change: (d) => {
      (d.spec as { replicas: number }).replicas = 0;
    },
  },
  {
    type: 'config-corruption',
    target: 'shop/ConfigMap/payment-config',
    params: { mode: 'truncate' },
    change: (cm) => {
      const text = cm.data?.['config.json'] ?? '';
      cm.data = { ...cm.data, 'config.json': text.slice(0, Math.max(1, Math.floor(text.length / 2))) };
    },
    alsoChanges: {
      // The Deployment mounting the ConfigMap is rolled out: only its restart annotation is new.
      'shop/Deployment/payment': (before, after) => {
        const expected = structuredClone(before);
        const restartedAt = templateAnnotations(after)['kubectl.kubernetes.io/restartedAt'];
        expect(restartedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
        const t = (expected.spec as { template: { metadata?: { annotations?: Record<string, string> } } })
          .template;
        t.metadata = {
          ...t.metadata,
          annotations: { ...t.metadata?.annotations, 'kubectl.kubernetes.io/restartedAt': restartedAt },
        };
        expect(desired(after)).toEqual(desired(expected));
      },
    },
  },
];

/**
 * Faults that act through the flags service, Redis or PostgreSQL, never by changing objects first
 * (queue-poison-message reads the order stream before its ConfigMap edit).
 */
const OTHER_FAULTS: Record<string, { target: string; params: Record<string, unknown> }> = {
  'app-latency': { target: 'shop/Deployment/payment', params: { delayMs: 1200 } },
  'app-error-rate': { target: 'shop/Deployment/catalog', params: { fraction: 0.5, status: 503 } },
  'app-cpu-burn': { target: 'shop/Deployment/currency', params: { fraction: 0.9 } },
  'app-memory-leak': { target: 'shop/Deployment/cart', params: { mbPerMinute: 25 } },
  'app-dependency-unreachable': { target: 'shop/Deployment/checkout', params: { dependency: 'payment' } },
  'redis-maxmemory': { target: 'shop/Deployment/redis', params: {} },
  'redis-auth-change': { target: 'shop/Deployment/redis', params: {} },
  'db-connection-limit': { target: 'shop/Deployment/postgres', params: {} },
  'db-read-only': { target: 'shop/Deployment/postgres', params: {} },
  'db-lock-held': { target: 'shop/Deployment/postgres', params: {} },
  'db-slow-query': { target: 'shop/Deployment/postgres', params: {} },
  'queue-poison-message': { target: 'shop/Deployment/checkout', params: {} },
  'db-pool-exhaustion': { target: 'shop/Deployment/inventory', params: {} },
  'queue-consumer-stall': { target: 'shop/Deployment/fulfillment', params: {} },
};

/**
 * Faults that act through the chaos engine, with the params of the scenarios that use them: their Chaos
 * Mesh resource is applied against the CRDs of manifests/chaos-mesh (no controller runs here to inject).
 */
const CHAOS_FAULTS: Record<string, { target: string; params: Record<string, unknown> }> = {
  'network-delay': {
    target: 'shop/Deployment/payment',
    params: { from: 'checkout', latencyMs: 600, jitterMs: 100 },
  },
  'network-loss': { target: 'shop/Deployment/payment', params: { from: 'checkout', percent: 35 } },
  'network-corrupt': { target: 'shop/Deployment/shipping', params: { from: 'checkout', percent: 40 } },
  'network-bandwidth': { target: 'shop/Deployment/catalog', params: { from: 'frontend', rate: '2kbps' } },
  'network-partition': { target: 'shop/Deployment/payment', params: { from: 'checkout' } },
  'dns-failure': { target: 'shop/Deployment/cart', params: { name: 'catalog' } },
  'cpu-stress': { target: 'shop/Deployment/currency', params: { workers: 1, load: 100 } },
  'memory-stress': { target: 'shop/Deployment/catalog', params: { sizeMiB: 100 } },
  'io-latency': { target: 'shop/Deployment/catalog', params: { volumePath: '/tmp', delayMs: 200 } },
  'clock-skew': { target: 'shop/Deployment/catalog', params: { offsetMs: -3600000 } },
};

/** Kinds the Kubernetes-only faults change or create, compared before, during and after each one. */
const K8S_FAULT_KINDS = [
  'Deployment',
  'Service',
  'Secret',
  'ConfigMap',
  'NetworkPolicy',
  'ResourceQuota',
  'HorizontalPodAutoscaler',
  'PersistentVolumeClaim',
];
/** kind's worker names: node-cordon's scenario targets them, so the suite registers Node objects of that name. */
const NODE_NAMES = ['shop-lab-worker', 'shop-lab-worker2'];
/** Written on Nodes by the controllers (TTL, node lifecycle, the beta-label reconciler); no fault's state. */
const NODE_CONTROLLER_FIELDS = {
  annotations: ['node.alpha.kubernetes.io/ttl'],
  labels: ['beta.kubernetes.io/arch', 'beta.kubernetes.io/os'],
  spec: ['taints'],
};

/** What a Node says without what its controllers keep rewriting. */
function desiredNode(node: KubeObject): unknown {
  const copy = structuredClone(node);
  for (const a of NODE_CONTROLLER_FIELDS.annotations) delete copy.metadata.annotations?.[a];
  for (const l of NODE_CONTROLLER_FIELDS.labels) delete copy.metadata.labels?.[l];
  for (const f of NODE_CONTROLLER_FIELDS.spec) delete (copy.spec as Record<string, unknown> | undefined)?.[f];
  return desired(copy);
}

/** Every fault of the shipped scenarios whose type runs only on Kubernetes, with the scenario's params. */
async function kubernetesOnlyFaults(): Promise<Array<[string, ScenarioFault]>> {
  const report = await validatePaths([join(REPO_ROOT, 'scenarios/shop')]);
  const local = new Set(
    FAULT_TYPES.filter((t) => substratesProviding(t.needs).includes('local')).map((t) => t.id),
  );
  const out = new Map<string, ScenarioFault>();
  for (const s of report.scenarios) {
    for (const f of s.spec.faults) {
      if (!local.has(f.type)) out.set(`${f.type} → ${f.target} (${s.metadata.id})`, f);
    }
  }
  return [...out].sort(([a], [b]) => a.localeCompare(b));
}
// Validating every scenario costs a second: only when the suite runs (a skipped suite has no tests to list).
const K8S_ONLY = reason ? [] : await kubernetesOnlyFaults();

const NOT_HERE = 'not available in the apiserver e2e test';
const appLabel = (name: string): Record<string, string> => ({ 'app.kubernetes.io/name': name });
/** Whether a Deployment's selector matches a Pod's labels. */
const selects = (deploy: KubeObject, pod: KubeObject): boolean =>
  Object.entries(
    (deploy.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels,
  ).every(([k, v]) => pod.metadata.labels?.[k] === v);

suite(
  `ClusterApi and object faults on a real kube-apiserver (${reason ?? loadVersions().tools.kubernetes})`,
  () => {
    let cp: AirgapControlPlane;
    let api: HttpClusterApi;
    let deployed: KubeObject[];

    const target = (): FaultTarget => ({
      objects: api,
      flags: {
        set: () => Promise.reject(new Error(`flags ${NOT_HERE}`)),
        remove: () => Promise.reject(new Error(`flags ${NOT_HERE}`)),
      },
      redis: { command: () => Promise.reject(new Error(`redis ${NOT_HERE}`)) },
      postgres: { query: () => Promise.reject(new Error(`postgres ${NOT_HERE}`)) },
      chaos: { start: () => Promise.reject(new Error(`chaos ${NOT_HERE}`)) },
    });
    const contextFor = (type: AnyFaultType, entity: string, params: unknown): FaultContext<unknown> => ({
      substrate: 'kubeconfig',
      target: target(),
      entity: parseEntityId(entity),
      params: type.params.parse(params),
      logger: silentLogger(),
      signal: new AbortController().signal,
    });
    const faultType = (id: string): AnyFaultType => {
      const t = FAULT_TYPES.find((f) => f.id === id);
      if (!t) throw new Error(`no fault type ${id} in the catalog`);
      return t;
    };
    /** Desired state of every Deployment and ConfigMap in shop, by object key. */
    const shopState = async (): Promise<Map<string, KubeObject>> => {
      const objs = [...(await api.list('Deployment', 'shop')), ...(await api.list('ConfigMap', 'shop'))];
      return new Map(objs.map((o) => [objectKey(o), o]));
    };
    const desiredOf = (state: Map<string, KubeObject>): Record<string, unknown> =>
      Object.fromEntries([...state].map(([k, o]) => [k, desired(o)]));

    beforeAll(async () => {
      cp = await AirgapControlPlane.start();
      const kc = new KubeConfig();
      kc.loadFromFile(cp.kubeconfigPath);
      api = new HttpClusterApi(new KubeConfigTransport(kc));
      deployed = (await deploymentObjects()) as unknown as KubeObject[];
    }, 300_000);

    afterAll(async () => {
      await cp?.stop();
    }, 60_000);

    it('reports the pinned Kubernetes version', async () => {
      expect((await api.version()).gitVersion).toBe(loadVersions().tools.kubernetes);
    });

    it('deploys every object of manifests/shop and manifests/observability, namespaces first', async () => {
      const declared = [
        ...(await loadManifests(SHOP_MANIFESTS_DIR)),
        ...(await loadManifests(OBSERVABILITY_MANIFESTS_DIR)),
      ].map((o) => objectKey(o as unknown as KubeObject));
      expect(deployed.map((o) => objectKey(o)).sort()).toEqual([...declared].sort());
      const firstOther = deployed.findIndex((o) => o.kind !== 'Namespace');
      expect(deployed.slice(0, firstOther).every((o) => o.kind === 'Namespace')).toBe(true);
      expect(deployed.slice(firstOther).some((o) => o.kind === 'Namespace')).toBe(false);

      for (const obj of deployed) {
        const applied = await api.apply(obj);
        expect(applied.metadata.resourceVersion).toBeTruthy();
      }
      for (const obj of deployed) {
        const live = await api.get(obj.kind, obj.metadata.namespace, obj.metadata.name);
        expect({ key: objectKey(obj), found: live !== undefined }).toEqual({
          key: objectKey(obj),
          found: true,
        });
        expect(live?.apiVersion).toBe(obj.apiVersion);
        expect(live?.metadata.labels ?? {}).toEqual(expect.objectContaining(obj.metadata.labels ?? {}));
        if (obj.data) expect(live?.data).toEqual(obj.data);
      }
    }, 120_000);

    it('lists the topology: Deployments, their ReplicaSets and Pods from the controllers, Services, ConfigMaps', async () => {
      const deployments = await api.list('Deployment');
      const declaredDeployments = deployed
        .filter((o) => o.kind === 'Deployment')
        .map(objectKey)
        .sort();
      expect(deployments.map(objectKey).sort()).toEqual(declaredDeployments);
      expect(deployments.every((d) => d.apiVersion === 'apps/v1' && d.kind === 'Deployment')).toBe(true);

      // kube-controller-manager's deployment controller creates one ReplicaSet per Deployment, owned by it.
      const replicaSets = await waitFor(
        'a ReplicaSet for every Deployment',
        async () => {
          const rs = await api.list('ReplicaSet');
          const owners = new Set(rs.flatMap((r) => (r.metadata.ownerReferences ?? []).map((o) => o.uid)));
          return deployments.every((d) => owners.has(d.metadata.uid ?? '')) ? rs : undefined;
        },
        { timeoutMs: 90_000, intervalMs: 500 },
      );
      for (const rs of replicaSets) {
        const owner = rs.metadata.ownerReferences?.find((o) => o.controller);
        expect(owner?.kind).toBe('Deployment');
      }

      // ...and the ReplicaSet controller its Pods, which stay Pending with no scheduler or kubelet.
      const shopDeployments = deployments.filter((d) => d.metadata.namespace === 'shop');
      const pods = await waitFor(
        'as many Pods as replicas for every shop Deployment',
        async () => {
          const p = await api.list('Pod', 'shop');
          const complete = shopDeployments.every(
            (d) =>
              p.filter((pod) => selects(d, pod)).length >= ((d.spec as { replicas?: number }).replicas ?? 1),
          );
          return complete ? p : undefined;
        },
        { timeoutMs: 90_000, intervalMs: 500 },
      );
      expect(
        pods.every((p) => p.kind === 'Pod' && (p.status as { phase?: string }).phase === 'Pending'),
      ).toBe(true);

      const services = await api.list('Service', 'shop');
      expect(services.map((s) => s.metadata.name).sort()).toEqual(
        deployed
          .filter((o) => o.kind === 'Service' && o.metadata.namespace === 'shop')
          .map((o) => o.metadata.name)
          .sort(),
      );
      const configMaps = await api.list('ConfigMap', 'shop');
      // kube-root-ca.crt is published into every namespace by the controller manager.
      expect(configMaps.map((c) => c.metadata.name)).toEqual(
        expect.arrayContaining(['kube-root-ca.crt', 'payment-config']),
      );

      const selected = await api.list('Pod', 'shop', appLabel('payment'));
      expect(selected.length).toBeGreaterThan(0);
      expect(selected.every((p) => p.metadata.labels?.['app.kubernetes.io/name'] === 'payment')).toBe(true);
    }, 200_000);

    // After the topology step: the controllers have settled, so nothing else writes these objects now.
    it('re-applying every object is a no-op: no resourceVersion or generation changes', async () => {
      const changed: string[] = [];
      for (const obj of deployed) {
        const live = await api.get(obj.kind, obj.metadata.namespace, obj.metadata.name);
        const again = await api.apply(obj);
        const was = `${live?.metadata.resourceVersion}/${live?.metadata.generation}`;
        const now = `${again.metadata.resourceVersion}/${again.metadata.generation}`;
        if (now !== was) changed.push(`${objectKey(obj)}: resourceVersion/generation ${was} -> ${now}`);
      }
      expect(changed).toEqual([]);
    }, 120_000);

    it('covers every fault type in the catalog', () => {
      const covered = new Set([
        ...OBJECT_FAULTS.map((c) => c.type),
        'pod-kill',
        ...Object.keys(OTHER_FAULTS),
        ...Object.keys(CHAOS_FAULTS),
        ...K8S_ONLY.map(([, f]) => f.type),
      ]);
      expect([...covered].sort()).toEqual(FAULT_TYPES.map((t) => t.id).sort());
    });

    it.each(OBJECT_FAULTS.map((c) => [c.type, c] as const))(
      '%s changes exactly its target on the server, and undo restores it',
      async (_id, c) => {
        const before = await shopState();
        const original = before.get(c.target);
        if (!original) throw new Error(`${c.target} was not deployed`);

        const undo = await faultType(c.type).inject(contextFor(faultType(c.type), c.target, c.params));
        const after = await shopState();
        const expected = structuredClone(original);
        c.change(expected);
        expect(desired(after.get(c.target))).toEqual(desired(expected));
        expect(desired(after.get(c.target))).not.toEqual(desired(original));
        for (const [key, obj] of before) {
          if (key === c.target) continue;
          const check = c.alsoChanges?.[key];
          if (check) check(obj, after.get(key) as KubeObject);
          else expect({ key, state: desired(after.get(key)) }).toEqual({ key, state: desired(obj) });
        }

        await undo.undo();
        expect(desiredOf(await shopState())).toEqual(desiredOf(before));
      },
      60_000,
    );

    it('pod-kill deletes a Pod of the target and the ReplicaSet replaces it', async () => {
      const selector = appLabel('shipping');
      // scale-to-zero's undo brought shipping back a moment ago: its Pod may still be on its way.
      const pods = await waitFor(
        'a shipping Pod',
        async () => {
          const p = await api.list('Pod', 'shop', selector);
          return p.length > 0 ? p : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 300 },
      );
      const before = new Set(pods.map((p) => p.metadata.name));
      const first = [...before].sort()[0];

      const type = faultType('pod-kill');
      const undo = await type.inject(contextFor(type, 'shop/Deployment/shipping', {}));
      // An unscheduled Pod is deleted at once (no kubelet has to confirm).
      expect(await api.get('Pod', 'shop', first)).toBeUndefined();
      const replacement = await waitFor(
        'a replacement shipping Pod',
        async () => (await api.list('Pod', 'shop', selector)).find((p) => !before.has(p.metadata.name)),
        { timeoutMs: 60_000, intervalMs: 300 },
      );
      expect(replacement.metadata.labels?.['app.kubernetes.io/name']).toBe('shipping');
      await undo.undo();
    }, 90_000);

    it.each(Object.entries(OTHER_FAULTS))(
      '%s acts through flags, Redis or PostgreSQL, not objects: with those missing it fails and changes no object',
      async (id, c) => {
        const before = desiredOf(await shopState());
        const type = faultType(id);
        await expect(type.inject(contextFor(type, c.target, c.params))).rejects.toThrow(NOT_HERE);
        expect(desiredOf(await shopState())).toEqual(before);
      },
      60_000,
    );

    describe('Kubernetes-only faults, with the params of the scenarios that use them', () => {
      /** Desired state of every object these faults touch: shop's objects of K8S_FAULT_KINDS, and Nodes. */
      const state = async (): Promise<Record<string, unknown>> => {
        const out: Record<string, unknown> = {};
        for (const kind of K8S_FAULT_KINDS) {
          for (const o of await api.list(kind, 'shop')) {
            if (o.kind === 'ConfigMap' && o.metadata.name === 'kube-root-ca.crt') continue;
            out[objectKey(o)] = desired(o);
          }
        }
        for (const n of await api.list('Node')) out[objectKey(n)] = desiredNode(n);
        return out;
      };

      beforeAll(async () => {
        // No kubelet registers itself here: the Node objects a kind cluster would have, applied as a kubelet would.
        for (const name of NODE_NAMES) {
          await api.apply({
            apiVersion: 'v1',
            kind: 'Node',
            metadata: {
              name,
              labels: {
                'kubernetes.io/hostname': name,
                'kubernetes.io/os': 'linux',
                'kubernetes.io/arch': 'amd64',
              },
            },
            spec: {},
          });
        }
      });

      it.each(K8S_ONLY)(
        '%s: the server takes the change, and undo restores every object exactly',
        async (_, f) => {
          const type = faultType(f.type);
          const before = await state();
          const undo = await type.inject(contextFor(type, f.target, f.params));
          try {
            const during = await state();
            const changed = Object.keys({ ...before, ...during }).filter(
              (k) => JSON.stringify(before[k]) !== JSON.stringify(during[k]),
            );
            expect(changed.length).toBeGreaterThan(0);
            // Ground truth names something that exists on the server while the fault holds.
            for (const id of type.groundTruth(parseEntityId(f.target), f.params)) {
              const ref = parseEntityId(id);
              expect({
                id,
                exists: (await api.get(ref.kind, ref.namespace, ref.name)) !== undefined,
              }).toEqual({
                id,
                exists: true,
              });
            }
            if (f.type === 'hpa-misconfig') {
              // The real HPA controller enforces maxReplicas without any metrics.
              await waitFor(
                `the HPA controller to scale ${f.target} down`,
                async () => {
                  const d = await api.get('Deployment', 'shop', parseEntityId(f.target).name);
                  return (d?.spec as { replicas?: number }).replicas === 1 ? true : undefined;
                },
                { timeoutMs: 60_000, intervalMs: 500 },
              );
            }
            if (f.type === 'resource-quota-exhausted') {
              // Quota admission refuses the ReplicaSet's replacement pods.
              const name = parseEntityId(f.target).name;
              const refused = await waitFor(
                `a FailedCreate "exceeded quota" event for ${name}'s ReplicaSet`,
                async () =>
                  (await api.events()).find(
                    (e) =>
                      e.reason === 'FailedCreate' &&
                      String(e.message).includes('exceeded quota') &&
                      (e.involvedObject as { name?: string } | undefined)?.name?.startsWith(`${name}-`),
                  ),
                { timeoutMs: 60_000, intervalMs: 500 },
              );
              expect(String(refused.message)).toContain('exceeded quota');
            }
          } finally {
            await undo.undo();
          }
          expect(await state()).toEqual(before);
        },
        120_000,
      );
    });

    // After the Kubernetes-only faults: new CRDs set the quota controller re-discovering resources, which
    // can hold back the "exceeded quota" refusals resource-quota-exhausted waits for.
    describe("chaos faults: their resources under Chaos Mesh's CRDs", () => {
      beforeAll(async () => {
        const crds = (await loadManifests(CHAOS_MESH_MANIFESTS_DIR)).filter(
          (o) => o.kind === 'CustomResourceDefinition',
        ) as unknown as KubeObject[];
        for (const crd of crds) await api.apply(crd);
        await waitFor(
          `${crds.length} Chaos Mesh CRDs established`,
          async () => {
            for (const crd of crds) {
              const live = await api.get('CustomResourceDefinition', undefined, crd.metadata.name);
              const conditions = (live?.status as { conditions?: Array<{ type: string; status: string }> })
                ?.conditions;
              if (!conditions?.some((c) => c.type === 'Established' && c.status === 'True')) return undefined;
            }
            return true;
          },
          { timeoutMs: 60_000, intervalMs: 500 },
        );
        await api.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: CHAOS_MESH_NAMESPACE } });
      }, 120_000);

      it.each(Object.entries(CHAOS_FAULTS))(
        '%s: the server takes its resource as written (schema-checked, nothing pruned), then deletes it',
        async (id, c) => {
          const type = faultType(id);
          const started: ChaosExperiment[] = [];
          const recording = {
            start: async (x: ChaosExperiment): Promise<RunningChaos> => {
              started.push(x);
              return { description: 'recorded', stop: async () => undefined };
            },
          };
          const undo = await type.inject({
            ...contextFor(type, c.target, c.params),
            target: { ...target(), chaos: recording },
          });
          await undo.undo();
          expect(started).toHaveLength(1);
          const chaos = new ChaosMeshApi({ objects: api, logger: silentLogger() });
          const resource = await chaos.resourceFor(started[0], `e2e-${id}`);
          const applied = await api.apply(resource);
          try {
            expect(applied.spec).toEqual(resource.spec);
          } finally {
            await api.delete(resource.kind, CHAOS_MESH_NAMESPACE, resource.metadata.name);
          }
          expect(await api.get(resource.kind, CHAOS_MESH_NAMESPACE, resource.metadata.name)).toBeUndefined();
        },
        60_000,
      );
    });

    it('lists Events: the controllers’ own and one applied by a client', async () => {
      const now = new Date().toISOString();
      await api.apply({
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name: 'firedrill-e2e.probe', namespace: 'shop' },
        involvedObject: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'cart' },
        reason: 'FiredrillProbe',
        message: 'applied by the apiserver e2e test',
        type: 'Warning',
        count: 1,
        firstTimestamp: now,
        lastTimestamp: now,
        source: { component: 'firedrill-e2e' },
      });
      const events = await api.events();
      const probe = events.find((e) => e.metadata.name === 'firedrill-e2e.probe');
      expect(probe).toMatchObject({
        apiVersion: 'v1',
        kind: 'Event',
        reason: 'FiredrillProbe',
        involvedObject: { kind: 'Deployment', name: 'cart' },
      });
      // The deployment controller records ScalingReplicaSet for each Deployment it rolled out.
      expect(events.some((e) => e.reason === 'ScalingReplicaSet' && e.metadata.namespace === 'shop')).toBe(
        true,
      );
    });

    it('reads no log from a Pod that never ran (no node assigned), without failing', async () => {
      const [pod] = await api.list('Pod', 'shop', appLabel('cart'));
      expect(pod).toBeDefined();
      const container = (pod.spec as { containers: Array<{ name: string }> }).containers[0].name;
      await expect(api.podLog('shop', pod.metadata.name, { container })).resolves.toBe('');
      await expect(api.podLog('shop', pod.metadata.name, { container: 'no-such-container' })).rejects.toThrow(
        /400.*no-such-container/,
      );
    });

    it('deletes objects, reports a second delete as nothing to do, and garbage-collects dependents', async () => {
      expect(await api.delete('ConfigMap', 'shop', 'payment-config')).toBe(true);
      expect(await api.get('ConfigMap', 'shop', 'payment-config')).toBeUndefined();
      expect(await api.delete('ConfigMap', 'shop', 'payment-config')).toBe(false);

      const deploy = await api.get('Deployment', 'shop', 'frontend');
      const owned = (await api.list('ReplicaSet', 'shop')).filter((r) =>
        r.metadata.ownerReferences?.some((o) => o.uid === deploy?.metadata.uid),
      );
      expect(owned.length).toBeGreaterThan(0);
      expect(await api.delete('Deployment', 'shop', 'frontend')).toBe(true);
      await waitFor(
        "the garbage collector to delete frontend's ReplicaSets and Pods",
        async () => {
          const rs = await api.list('ReplicaSet', 'shop');
          const pods = await api.list('Pod', 'shop', appLabel('frontend'));
          return !rs.some((r) => owned.some((o) => o.metadata.uid === r.metadata.uid)) && pods.length === 0;
        },
        { timeoutMs: 60_000, intervalMs: 500 },
      );
    }, 90_000);
  },
);
