import type { ContainerSpec, PodTemplate } from '../kube.js';
import type { SyntheticShop } from './synthetic-shop.js';

/**
 * Every fault type of the catalog (docs/faults.md), staged on the synthetic shop the way its
 * documentation says it shows on a cluster: the change it makes, the events, pod states, log lines,
 * metrics and call failures it causes. `truth` is the ground truth the type declares.
 */
export interface FaultCase {
  name: string;
  truth: string[];
  stage(shop: SyntheticShop): void;
}

/** Fault time, seconds into the synthetic window. */
export const F = 120;

const first = (t: PodTemplate): ContainerSpec => {
  const c = t.spec?.containers?.[0];
  if (!c) throw new Error('template without containers');
  return c;
};

function crashLoop(
  s: SyntheticShop,
  pods: Array<{ name: string }>,
  container: string,
  fatal: Record<string, unknown>,
  extra: { oom?: boolean } = {},
): void {
  for (const p of pods) {
    s.podState(p.name, F + 2, {
      ready: false,
      restartsPerMinute: 3,
      ...(extra.oom ? { lastTerminated: 'OOMKilled' } : { waiting: 'CrashLoopBackOff' }),
    });
    if (Object.keys(fatal).length > 0) s.log(F + 2, p.name, container, { level: 'fatal', ...fatal });
    s.event(
      F + 10,
      'Warning',
      'BackOff',
      'Pod',
      p.name,
      `Back-off restarting failed container ${container} in pod ${p.name}_shop`,
      5,
      F + 100,
    );
  }
}

function redisAuthWarnings(s: SyntheticShop, pods: Array<{ name: string }>, from: number): void {
  for (const p of pods) {
    for (let t = from; t < 230; t += 10)
      s.log(t, p.name, 'cart', {
        level: 'warn',
        dependency: 'redis',
        err_code: 'WRONGPASS',
        address: '10.96.0.17:6379',
        msg: 'redis connection error: WRONGPASS invalid username-password pair or user is disabled.',
      });
    s.podState(p.name, from + 2, { ready: false });
  }
}

/**
 * Admission refuses a workload's replacements (a full quota, a LimitRange): its pods are deleted at F + 1
 * as a drain would, and its ReplicaSet's creations fail from F + 2 with `refusal(replicaSet)`.
 */
function refuseReplacements(s: SyntheticShop, deployment: string, refusal: (rs: string) => string): void {
  for (const p of s.podsOf(deployment, F)) {
    s.deletePod(p, F + 1, false);
    s.event(F + 2, 'Warning', 'FailedCreate', 'ReplicaSet', p.rs, refusal(p.rs), 12, F + 100);
  }
  s.takeDown(deployment, F + 1);
}

export const FAULT_CASES: FaultCase[] = [
  {
    name: 'app-latency',
    truth: ['shop/Deployment/payment'],
    stage: (s) => {
      s.slowDown('payment', F, 1200);
      s.alert('ShopHighLatencyP95', { service: 'payment' }, [
        { state: 'pending', from: F + 30, to: F + 60 },
        { state: 'firing', from: F + 60, to: null },
      ]);
      s.alert('ShopHighLatencyP95', { service: 'checkout' }, [{ state: 'pending', from: F + 35, to: null }]);
    },
  },
  {
    name: 'app-error-rate',
    truth: ['shop/Deployment/catalog'],
    stage: (s) => s.failRequests('catalog', F, 0.5, 503),
  },
  {
    name: 'app-cpu-burn',
    truth: ['shop/Deployment/currency'],
    stage: (s) => {
      s.slowDown('currency', F, 300);
      for (const p of s.podsOf('currency')) s.podState(p.name, F, { cpuCores: 0.48 });
      s.alert(
        'ShopContainerCPUNearLimit',
        { pod: s.podsOf('currency')[0].name, container: 'currency', service: 'currency' },
        [{ state: 'firing', from: F + 60, to: null }],
      );
    },
  },
  {
    name: 'app-memory-leak',
    truth: ['shop/Deployment/cart'],
    stage: (s) => {
      for (const p of s.podsOf('cart')) s.podState(p.name, 0, { memoryBytesPerMinute: 40 * 2 ** 20 });
    },
  },
  {
    name: 'app-dependency-unreachable',
    truth: ['shop/Deployment/checkout'],
    stage: (s) => s.breakCalls('payment', F, 'ECONNREFUSED', { caller: 'checkout', address: '127.0.0.1:9' }),
  },
  {
    name: 'pod-kill',
    truth: ['shop/Deployment/shipping'],
    stage: (s) => {
      for (let t = F; t < 230; t += 10) {
        const p = s.podsOf('shipping', t)[0];
        if (p) s.deletePod(p, t);
        s.breakCalls('shipping', t, 'ECONNREFUSED', { to: t + 3 });
      }
    },
  },
  {
    name: 'crash-loop',
    truth: ['shop/Deployment/currency'],
    stage: (s) => {
      const { pods } = s.rollout('currency', F, (t) => (first(t).args = ['currency-v2']), { stall: true });
      crashLoop(s, pods, 'currency', {
        msg: 'unknown service "currency-v2": expected one of frontend, catalog, cart',
      });
    },
  },
  {
    name: 'env-override (malformed value)',
    truth: ['shop/Deployment/payment'],
    stage: (s) => {
      const { pods } = s.rollout('payment', F, (t) => first(t).env?.push({ name: 'PORT', value: 'http' }), {
        stall: true,
      });
      crashLoop(s, pods, 'payment', {
        err_code: 'EINVALIDCONFIG',
        msg: 'invalid configuration in environment: PORT: expected a number',
      });
    },
  },
  {
    name: 'env-override (dependency address)',
    truth: ['shop/Deployment/cart'],
    stage: (s) => {
      s.rollout('cart', F, (t) => first(t).env?.push({ name: 'CATALOG_URL', value: 'http://catalog:8081' }));
      s.breakCalls('catalog', F + 3, 'ECONNREFUSED', { caller: 'cart', address: '10.96.0.11:8081' });
    },
  },
  {
    name: 'memory-limit',
    truth: ['shop/Deployment/payment'],
    stage: (s) => {
      const { pods } = s.rollout(
        'payment',
        F,
        (t) => {
          const lim = first(t).resources?.limits;
          if (lim) lim.memory = '32Mi';
        },
        { stall: true },
      );
      crashLoop(s, pods, 'payment', {}, { oom: true });
    },
  },
  {
    name: 'scale-to-zero',
    truth: ['shop/Deployment/shipping'],
    stage: (s) => {
      s.scale('shipping', F, 0);
      s.takeDown('shipping', F + 1);
    },
  },
  {
    name: 'config-corruption',
    truth: ['shop/ConfigMap/payment-config'],
    stage: (s) => {
      s.get('shop/ConfigMap/payment-config').data = { 'config.json': '{\n  "logLevel": "in' };
      const { pods } = s.rollout(
        'payment',
        F,
        (t) => {
          t.metadata = {
            ...t.metadata,
            annotations: { ...t.metadata?.annotations, 'kubectl.kubernetes.io/restartedAt': s.iso(F) },
          };
        },
        { stall: true },
      );
      crashLoop(s, pods, 'payment', {
        err_code: 'EINVALIDCONFIG',
        msg: 'invalid configuration in /etc/shop/config.json: Unexpected end of JSON input',
      });
    },
  },
  {
    name: 'config-corruption (valid but harmful value)',
    truth: ['shop/ConfigMap/checkout-config'],
    stage: (s) => {
      const cm = s.get('shop/ConfigMap/checkout-config');
      const before = structuredClone(cm);
      cm.data = { 'config.json': '{"logLevel": "info", "timeoutsMs": {"payment": 1}}' };
      s.objectChanges = [
        { ts: s.iso(-600), action: 'ADDED', entity: cm.entity, object: before },
        { ts: s.iso(F - 2), action: 'MODIFIED', entity: cm.entity, object: structuredClone(cm) },
      ];
      s.rollout('checkout', F, (t) => {
        t.metadata = {
          ...t.metadata,
          annotations: { ...t.metadata?.annotations, 'kubectl.kubernetes.io/restartedAt': s.iso(F) },
        };
      });
      s.breakCalls('payment', F + 5, 'ETIMEDOUT', { caller: 'checkout', giveUpAfterMs: 1 });
    },
  },
  {
    name: 'redis-maxmemory',
    truth: ['shop/Deployment/redis'],
    stage: (s) => s.breakCalls('redis', F, 'OOM', { caller: 'cart' }),
  },
  {
    name: 'redis-auth-change',
    truth: ['shop/Deployment/redis'],
    stage: (s) => {
      s.breakCalls('redis', F, 'WRONGPASS', { caller: 'cart' });
      redisAuthWarnings(s, s.podsOf('cart'), F);
      s.breakCalls('cart', F + 10, 'ECONNREFUSED');
    },
  },
  {
    name: 'image-not-found',
    truth: ['shop/Deployment/checkout'],
    stage: (s) => {
      const { pods } = s.rollout('checkout', F, (t) => (first(t).image = 'acme/shop:0.1.1'), { stall: true });
      for (const p of pods) {
        s.podState(p.name, F + 2, { ready: false, phase: 'Pending', waiting: 'ImagePullBackOff' });
        s.event(
          F + 3,
          'Warning',
          'Failed',
          'Pod',
          p.name,
          'Failed to pull image "acme/shop:0.1.1": rpc error: code = NotFound desc = failed to pull and unpack image: not found',
          4,
          F + 90,
        );
        s.event(F + 4, 'Warning', 'Failed', 'Pod', p.name, 'Error: ErrImagePull', 4, F + 90);
        s.event(
          F + 6,
          'Normal',
          'BackOff',
          'Pod',
          p.name,
          'Back-off pulling image "acme/shop:0.1.1"',
          6,
          F + 100,
        );
      }
    },
  },
  {
    name: 'readiness-probe-misconfig',
    truth: ['shop/Deployment/catalog'],
    stage: (s) => {
      const { pods } = s.rollout(
        'catalog',
        F,
        (t) => (first(t).readinessProbe = { httpGet: { path: '/ready', port: 'http' } }),
        { stall: true },
      );
      for (const p of pods) {
        s.podState(p.name, F + 2, { ready: false });
        s.event(
          F + 5,
          'Warning',
          'Unhealthy',
          'Pod',
          p.name,
          'Readiness probe failed: HTTP probe failed with statuscode: 404',
          20,
          F + 100,
        );
        for (let t = F + 5; t < 230; t += 5)
          s.log(t, p.name, 'catalog', {
            level: 'info',
            method: 'GET',
            path: '/ready',
            status: 404,
            msg: 'request completed',
          });
      }
    },
  },
  {
    name: 'liveness-probe-misconfig',
    truth: ['shop/Deployment/cart'],
    stage: (s) => {
      const { pods } = s.rollout(
        'cart',
        F,
        (t) => (first(t).livenessProbe = { httpGet: { path: '/healthz', port: 8081 } }),
      );
      for (const p of pods) {
        s.podState(p.name, F + 30, { restartsPerMinute: 2, waiting: 'CrashLoopBackOff' });
        s.event(
          F + 10,
          'Warning',
          'Unhealthy',
          'Pod',
          p.name,
          'Liveness probe failed: Get "http://10.244.1.5:8081/healthz": dial tcp 10.244.1.5:8081: connect: connection refused',
          9,
          F + 100,
        );
        s.event(
          F + 30,
          'Normal',
          'Killing',
          'Pod',
          p.name,
          'Container cart failed liveness probe, will be restarted',
          3,
          F + 100,
        );
        s.event(
          F + 60,
          'Warning',
          'BackOff',
          'Pod',
          p.name,
          `Back-off restarting failed container cart in pod ${p.name}_shop`,
          3,
          F + 100,
        );
      }
      s.breakCalls('cart', F + 30, 'ECONNREFUSED');
    },
  },
  {
    name: 'cpu-limit-throttle',
    truth: ['shop/Deployment/frontend'],
    stage: (s) => {
      s.rollout('frontend', F, (t) => {
        const lim = first(t).resources?.limits;
        if (lim) lim.cpu = '50m';
      });
      s.slowDown('frontend', F + 10, 800);
      s.alert('ShopHighLatencyP95', { service: 'frontend' }, [{ state: 'firing', from: F + 60, to: null }]);
    },
  },
  {
    name: 'init-container-crash',
    truth: ['shop/Deployment/checkout'],
    stage: (s) => {
      const { pods } = s.rollout(
        'checkout',
        F,
        (t) => {
          if (t.spec)
            t.spec.initContainers = [
              { name: 'migrate', image: 'acme/shop:0.1.0', command: ['node', '-e', 'process.exit(1)'] },
            ];
        },
        { stall: true },
      );
      for (const p of pods) {
        s.podState(p.name, F + 2, { ready: false, phase: 'Pending', waiting: 'PodInitializing' });
        s.log(
          F + 3,
          p.name,
          'migrate',
          'migration 0042_add_order_currency failed: connect ECONNREFUSED 10.96.87.14:5432',
          'stderr',
        );
        s.event(
          F + 10,
          'Warning',
          'BackOff',
          'Pod',
          p.name,
          `Back-off restarting failed container migrate in pod ${p.name}_shop`,
          6,
          F + 100,
        );
      }
    },
  },
  {
    name: 'init-container-hang',
    truth: ['shop/Deployment/cart'],
    stage: (s) => {
      const { pods } = s.rollout(
        'cart',
        F,
        (t) => {
          if (t.spec)
            t.spec.initContainers = [
              { name: 'wait-for-postgres', image: 'acme/shop:0.1.0', command: ['node', '-e', 'wait()'] },
            ];
        },
        { stall: true },
      );
      for (const p of pods) {
        s.podState(p.name, F + 2, { ready: false, phase: 'Pending', waiting: 'PodInitializing' });
        for (let t = F + 3; t < 230; t += 5)
          s.log(
            t,
            p.name,
            'wait-for-postgres',
            'waiting for postgres:5432: getaddrinfo ENOTFOUND postgres',
            'stderr',
          );
      }
      s.alert('KubePodPending', { pod: pods[0].name }, [{ state: 'firing', from: F + 60, to: null }]);
    },
  },
  {
    name: 'dns-misconfig',
    truth: ['shop/Deployment/frontend'],
    stage: (s) => {
      const { pods } = s.rollout(
        'frontend',
        F,
        (t) => {
          if (!t.spec) return;
          t.spec.dnsPolicy = 'None';
          t.spec.dnsConfig = { nameservers: ['10.96.0.99'] };
        },
        { stall: true },
      );
      for (const p of pods) {
        s.podState(p.name, F + 2, { ready: false });
        s.event(
          F + 8,
          'Warning',
          'Unhealthy',
          'Pod',
          p.name,
          'Readiness probe failed: HTTP probe failed with statuscode: 503',
          20,
          F + 100,
        );
      }
    },
  },
  {
    name: 'node-selector-mismatch',
    truth: ['shop/Deployment/shipping'],
    stage: (s) => {
      const { pods } = s.rollout(
        'shipping',
        F,
        (t) => {
          if (t.spec) t.spec.nodeSelector = { 'node.kubernetes.io/instance-type': 'm5.2xlarge' };
        },
        { stall: true },
      );
      for (const p of pods) {
        s.podState(p.name, F + 1, { ready: false, phase: 'Pending' });
        s.event(
          F + 1,
          'Warning',
          'FailedScheduling',
          'Pod',
          p.name,
          "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 node(s) didn't match Pod's node affinity/selector.",
          5,
          F + 100,
        );
      }
    },
  },
  {
    name: 'service-target-port',
    truth: ['shop/Service/payment'],
    stage: (s) => {
      (
        s.get('shop/Service/payment').spec as { ports: Array<{ targetPort: number | string }> }
      ).ports[0].targetPort = 8081;
      s.breakCalls('payment', F, 'ECONNREFUSED');
    },
  },
  {
    name: 'service-selector-mismatch',
    truth: ['shop/Service/shipping'],
    stage: (s) => {
      (s.get('shop/Service/shipping').spec as { selector: Record<string, string> }).selector = {
        'app.kubernetes.io/name': 'shipping-v2',
        'app.kubernetes.io/part-of': 'shop',
      };
      s.breakCalls('shipping', F, 'ECONNREFUSED');
    },
  },
  {
    name: 'network-policy-deny',
    truth: ['shop/NetworkPolicy/currency-allow-ingress'],
    stage: (s) => {
      s.add({
        entity: 'shop/NetworkPolicy/currency-allow-ingress',
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: 'currency-allow-ingress', namespace: 'shop', creationTimestamp: s.iso(F) },
        spec: {
          podSelector: {
            matchLabels: { 'app.kubernetes.io/name': 'currency', 'app.kubernetes.io/part-of': 'shop' },
          },
          policyTypes: ['Ingress'],
          ingress: [{ from: [{ podSelector: { matchLabels: { app: 'shop' } } }] }],
        },
      });
      for (const p of s.podsOf('currency', F)) s.deletePod(p, F + 1);
      s.breakCalls('currency', F + 3, 'ETIMEDOUT');
    },
  },
  {
    name: 'secret-deleted',
    truth: ['shop/Secret/redis-auth'],
    stage: (s) => {
      const secret = s.get('shop/Secret/redis-auth');
      s.objects.delete('shop/Secret/redis-auth');
      s.objectChanges.push({
        ts: s.iso(F),
        action: 'DELETED',
        entity: 'shop/Secret/redis-auth',
        object: secret,
      });
      for (const p of s.podsOf('cart', F)) {
        const np = s.deletePod(p, F + 2);
        if (!np) continue;
        s.podState(np.name, F + 3, { ready: false, phase: 'Pending' });
        s.event(
          F + 4,
          'Warning',
          'Failed',
          'Pod',
          np.name,
          'Error: secret "redis-auth" not found',
          14,
          F + 100,
        );
      }
      s.takeDown('cart', F + 2);
    },
  },
  {
    name: 'secret-corruption',
    truth: ['shop/Secret/redis-auth'],
    stage: (s) => {
      const fresh = s.podsOf('cart', F).flatMap((p) => s.deletePod(p, F) ?? []);
      redisAuthWarnings(s, fresh, F + 3);
      for (const p of fresh)
        s.event(
          F + 8,
          'Warning',
          'Unhealthy',
          'Pod',
          p.name,
          'Readiness probe failed: HTTP probe failed with statuscode: 503',
          20,
          F + 100,
        );
      s.breakCalls('cart', F + 10, 'ECONNREFUSED');
    },
  },
  {
    name: 'resource-quota-exhausted',
    truth: ['shop/ResourceQuota/shop-quota'],
    stage: (s) => {
      s.add({
        entity: 'shop/ResourceQuota/shop-quota',
        apiVersion: 'v1',
        kind: 'ResourceQuota',
        metadata: { name: 'shop-quota', namespace: 'shop', creationTimestamp: s.iso(F) },
        spec: { hard: { pods: '8' } },
        status: { hard: { pods: '8' }, used: { pods: '8' } },
      });
      refuseReplacements(
        s,
        'shipping',
        (rs) =>
          `Error creating: pods "${rs}-abcde" is forbidden: exceeded quota: shop-quota, requested: pods=1, used: pods=8, limited: pods=8`,
      );
    },
  },
  {
    name: 'limit-range-refused',
    truth: ['shop/LimitRange/shop-limits'],
    stage: (s) => {
      s.add({
        entity: 'shop/LimitRange/shop-limits',
        apiVersion: 'v1',
        kind: 'LimitRange',
        metadata: { name: 'shop-limits', namespace: 'shop', creationTimestamp: s.iso(F) },
        spec: { limits: [{ type: 'Container', max: { memory: '128Mi' } }] },
      });
      refuseReplacements(
        s,
        'payment',
        (rs) =>
          `Error creating: pods "${rs}-x7k2p" is forbidden: maximum memory usage per Container is 128Mi, but limit is 192Mi`,
      );
    },
  },
  {
    name: 'node-cordon (both workers)',
    truth: ['Node/worker-a', 'Node/worker-b'],
    stage: (s) => {
      for (const n of ['worker-a', 'worker-b']) {
        (s.get(`Node/${n}`).spec as { unschedulable?: boolean }).unschedulable = true;
        s.event(F, 'Normal', 'NodeNotSchedulable', 'Node', n, `Node ${n} status is now: NodeNotSchedulable`);
      }
      for (const d of ['shipping', 'currency'])
        for (const p of s.podsOf(d, F)) {
          s.deletePod(p, F + 1, false);
          const np = s.startPod(d, p.rs, F + 2);
          s.podState(np.name, F + 2, { ready: false, phase: 'Pending' });
          s.event(
            F + 2,
            'Warning',
            'FailedScheduling',
            'Pod',
            np.name,
            '0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 node(s) were unschedulable.',
            5,
            F + 100,
          );
          s.takeDown(d, F + 1);
        }
    },
  },
  {
    name: 'pvc-missing',
    truth: ['shop/Deployment/catalog'],
    stage: (s) => {
      s.add({
        entity: 'shop/PersistentVolumeClaim/other-data',
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name: 'other-data', namespace: 'shop' },
      });
      const { pods } = s.rollout(
        'catalog',
        F,
        (t) =>
          t.spec?.volumes?.push({
            name: 'catalog-data',
            persistentVolumeClaim: { claimName: 'catalog-data' },
          }),
        { stall: true },
      );
      for (const p of pods) {
        s.podState(p.name, F + 1, { ready: false, phase: 'Pending' });
        s.event(
          F + 1,
          'Warning',
          'FailedScheduling',
          'Pod',
          p.name,
          '0/3 nodes are available: persistentvolumeclaim "catalog-data" not found.',
          5,
          F + 100,
        );
      }
    },
  },
  {
    name: 'hpa-misconfig',
    truth: ['shop/HorizontalPodAutoscaler/frontend'],
    stage: (s) => {
      s.add({
        entity: 'shop/HorizontalPodAutoscaler/frontend',
        apiVersion: 'autoscaling/v2',
        kind: 'HorizontalPodAutoscaler',
        metadata: { name: 'frontend', namespace: 'shop', creationTimestamp: s.iso(F) },
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'frontend' },
          minReplicas: 1,
          maxReplicas: 1,
        },
        status: { currentReplicas: 1, desiredReplicas: 1 },
      });
      s.scale('frontend', F + 2, 1);
      s.event(
        F + 2,
        'Normal',
        'SuccessfulRescale',
        'HorizontalPodAutoscaler',
        'frontend',
        'New size: 1; reason: Current number of replicas above Spec.MaxReplicas',
      );
    },
  },
];
