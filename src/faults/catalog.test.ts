import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { normalizeEntityId, type EntityRef } from '../entities/entity-id.js';
import { loadManifests, loadRuleFiles, SHOP_MANIFESTS_DIR } from '../manifests/index.js';
import { REPO_ROOT } from '../version.js';
import { FAULT_TYPES } from './catalog.js';
import { paramsJsonSchema } from './params-json-schema.js';

/** Params to describe each fault type with: its defaults, and the variants its alerts depend on. */
const SAMPLE_PARAMS: Record<string, unknown[]> = {
  'app-latency': [{ delayMs: 800 }, { delayMs: 2000, probability: 0.5, route: '/charge' }],
  'app-error-rate': [{ fraction: 0.5 }, { fraction: 1, status: 503 }],
  'app-cpu-burn': [{ fraction: 0.9 }],
  'app-memory-leak': [{ mbPerMinute: 60 }],
  'app-dependency-unreachable': [
    'catalog',
    'cart',
    'checkout',
    'payment',
    'shipping',
    'currency',
    'redis',
  ].map((dependency) => ({ dependency })),
  'pod-kill': [{}, { count: 'all', everyMs: 10_000 }],
  'crash-loop': [{}],
  'env-override': ['CATALOG_URL', 'CART_URL', 'CURRENCY_URL', 'PAYMENT_URL', 'REDIS_HOST', 'PORT'].map(
    (name) => ({
      name,
      value: 'http://127.0.0.1:9',
    }),
  ),
  'memory-limit': [{ limit: '32Mi' }],
  'scale-to-zero': [{}],
  'config-corruption': [{}, { mode: 'set', path: 'timeoutsMs.payment', value: 1, restart: false }],
  'redis-maxmemory': [{}],
  'redis-auth-change': [{}],
  'db-connection-limit': [{}, { limit: 0, dropExisting: false }],
  'db-read-only': [{}],
  'db-pool-exhaustion': [{}, { leakFraction: 1 }],
  'queue-consumer-stall': [{}],
  'queue-poison-message': [{}],
  'db-lock-held': [
    {},
    { table: 'stock' },
    { table: 'orders', mode: 'ACCESS EXCLUSIVE' },
    { table: 'reservations' },
  ],
  'db-slow-query': [{}, { products: ['OLJCESPC7Z', '66VCHSJNUP', 'BX1GQ3HZ8K'], applicationName: 'psql' }],
  'image-not-found': [{}],
  'readiness-probe-misconfig': [{}, { port: 8081 }],
  'liveness-probe-misconfig': [{}, { port: 8081, timeoutSeconds: 1 }],
  'liveness-asks-readiness': [{}, { container: 'checkout' }],
  'cpu-limit-throttle': [{}],
  'init-container-crash': [{}],
  'init-container-hang': [{}],
  'dns-misconfig': [{}],
  'node-selector-mismatch': [{}],
  'service-target-port': [{}, { port: 'http', targetPort: 9000 }],
  'service-selector-mismatch': [{}, { selector: { app: 'cart' } }],
  'network-policy-deny': [{}, { name: 'cart-ingress', allowFrom: { role: 'web' }, restart: false }],
  'secret-corruption': [{}, { value: 'rotated', restart: false }],
  'secret-deleted': [{}, { restart: ['cart'] }],
  'resource-quota-exhausted': [{}, { name: 'shop-compute' }],
  'limit-range-refused': [{}, { name: 'container-ceiling', maxMemory: '96Mi' }],
  'node-cordon': [{}, { evict: ['shipping', 'currency'] }],
  'pvc-missing': [{}, { claimName: 'catalog-cache', mountPath: '/var/cache/catalog' }],
  'hpa-misconfig': [{}],
  'network-delay': [
    { from: 'frontend', latencyMs: 500 },
    { from: 'checkout', latencyMs: 200, jitterMs: 50, direction: 'both', port: 8080 },
  ],
  'network-loss': [{ from: 'frontend', percent: 50 }],
  'network-corrupt': [{ from: 'frontend', percent: 50 }],
  'network-bandwidth': [{ from: 'frontend', rate: '2kbps' }],
  'network-partition': [{ from: 'frontend' }, { from: 'checkout', direction: 'to' }],
  'dns-failure': [{ name: 'catalog' }, { name: 'redis', mode: 'random' }],
  'cpu-stress': [{}, { workers: 2, load: 50 }],
  'memory-stress': [{ sizeMiB: 40 }],
  'io-latency': [{ volumePath: '/tmp', delayMs: 100 }],
  'clock-skew': [{ offsetMs: -3_600_000 }],
};

/**
 * Types whose symptom no alert rule of the shop watches: the evidence is elsewhere (timestamps in logs
 * and spans for a skewed clock), so they expect no alert and a scenario lists what it checks instead.
 */
// A clock moved by a small offset, and a latent condition (silent until a dependency fails), fire nothing of their own.
const NO_ALERT = new Set(['clock-skew', 'liveness-asks-readiness']);

/**
 * Types whose root cause is an object they create in the target's namespace (what an SRE deletes or
 * fixes), not the workload they aim at.
 */
const CREATES: Record<string, string> = {
  'network-policy-deny': 'NetworkPolicy',
  'resource-quota-exhausted': 'ResourceQuota',
  'limit-range-refused': 'LimitRange',
  'hpa-misconfig': 'HorizontalPodAutoscaler',
};

/** The shop's manifests declare no Node: the names a kind cluster's nodes have. */
const NODES: EntityRef[] = ['shop-lab-worker', 'shop-lab-worker2'].map((name) => ({ kind: 'Node', name }));

const idOf = (t: EntityRef): string =>
  t.namespace ? `${t.namespace}/${t.kind}/${t.name}` : `${t.kind}/${t.name}`;

async function alertNamesInRules(): Promise<Set<string>> {
  const names = new Set<string>();
  for (const file of await loadRuleFiles()) {
    const doc = parse(await readFile(file, 'utf8')) as {
      groups: Array<{ rules: Array<{ alert?: string }> }>;
    };
    for (const g of doc.groups) for (const r of g.rules) if (r.alert) names.add(r.alert);
  }
  return names;
}

describe('the fault catalog', () => {
  let rules: Set<string>;
  let targets: Map<string, EntityRef[]>;
  beforeAll(async () => {
    rules = await alertNamesInRules();
    targets = new Map();
    for (const o of await loadManifests(SHOP_MANIFESTS_DIR)) {
      if (o.metadata.namespace !== 'shop') continue;
      const list = targets.get(o.kind) ?? [];
      list.push({ namespace: 'shop', kind: o.kind, name: o.metadata.name });
      targets.set(o.kind, list);
    }
    targets.set('Node', NODES);
  });

  it('has sample params for exactly the shipped types, all accepted by their schemas', () => {
    expect(Object.keys(SAMPLE_PARAMS).sort()).toEqual(FAULT_TYPES.map((t) => t.id).sort());
    for (const t of FAULT_TYPES) {
      for (const p of SAMPLE_PARAMS[t.id]) expect(t.params.safeParse(p).error).toBeUndefined();
    }
  });

  it('the rule files define alerts at all (so the next test cannot pass on an empty set)', () => {
    expect(rules.size).toBeGreaterThan(10);
    expect(rules.has('ShopHighErrorRate')).toBe(true);
  });

  it.each(FAULT_TYPES.map((t) => [t.id, t] as const))(
    '%s: every expected alert, for every shop target and sample, is defined in manifests/rules',
    (_, type) => {
      let described = 0;
      for (const kind of type.targetKinds) {
        for (const target of targets.get(kind) ?? []) {
          for (const raw of SAMPLE_PARAMS[type.id]) {
            const p: unknown = type.params.parse(raw);
            const alerts = type.expectedAlerts(target, p);
            if (NO_ALERT.has(type.id)) expect(alerts).toEqual([]);
            else expect(alerts.length).toBeGreaterThan(0);
            const unknown = alerts.filter((a) => !rules.has(a));
            expect({ target: target.name, params: raw, unknown }).toEqual({
              target: target.name,
              params: raw,
              unknown: [],
            });
            described++;
          }
        }
      }
      // The shop has something of every kind the type targets.
      expect(described).toBeGreaterThan(0);
    },
  );

  it.each(FAULT_TYPES.map((t) => [t.id, t] as const))(
    '%s: ground truth is canonical entity ids, the target (or the object the type creates) among them',
    (_, type) => {
      for (const kind of type.targetKinds) {
        for (const target of targets.get(kind) ?? []) {
          const p: unknown = type.params.parse(SAMPLE_PARAMS[type.id][0]);
          const ids = type.groundTruth(target, p);
          const created = CREATES[type.id];
          if (created) {
            expect(ids.some((id) => id.startsWith(`${target.namespace}/${created}/`))).toBe(true);
            expect(ids).not.toContain(idOf(target));
          } else expect(ids).toContain(idOf(target));
          for (const id of ids) expect(normalizeEntityId(id)).toBe(id);
        }
      }
    },
  );

  it.each(FAULT_TYPES.map((t) => [t.id, t] as const))(
    '%s: params are strict, export to JSON Schema, and the type has its own test file and docs section',
    async (id, type) => {
      expect(type.params.safeParse({ ...(SAMPLE_PARAMS[id][0] as object), surplus: 1 }).success).toBe(false);
      expect(paramsJsonSchema(type).type).toBe('object');
      expect(existsSync(join(REPO_ROOT, 'src/faults/types', `${id}.test.ts`))).toBe(true);
      const docs = await readFile(join(REPO_ROOT, 'docs/faults.md'), 'utf8');
      expect(docs).toContain(`\n### \`${id}\`\n`);
    },
  );
});
