import { defaultCatalog } from '../faults/catalog.js';
import type { KubeObject } from '../kube/kube-object.js';
import { loadManifests } from '../manifests/load-manifests.js';
import { SHOP_MANIFESTS_DIR } from '../manifests/paths.js';
import { checkScenarioText } from '../scenario/load-scenario.js';
import { appModel, readinessReach } from './app-model.js';
import { generateScenarios } from './generate-scenarios.js';
import { PATTERN_IDS } from './patterns.js';
import { ENV_CHANGES } from '../background/activities/rollout.js';
import { RECIPES } from './recipes.js';
import { ORDER_STREAM_CONSUMERS } from '../faults/support/order-stream.js';
import { parseEntityId } from '../entities/entity-id.js';
import { SeededRandom } from '../util/seeded-random.js';

let objects: KubeObject[];
beforeAll(async () => {
  objects = await loadManifests(SHOP_MANIFESTS_DIR);
});

describe('appModel', () => {
  it("reads the shop's call graph and depths off its manifests", () => {
    const app = appModel(objects);
    const calls = Object.fromEntries(app.workloads.map((w) => [w.name, w.calls]));
    expect(calls.frontend).toEqual(expect.arrayContaining(['cart', 'catalog', 'checkout']));
    expect(calls.cart).toEqual(expect.arrayContaining(['catalog', 'redis']));
    expect(calls.checkout).toEqual(expect.arrayContaining(['cart', 'payment', 'shipping']));
    expect(app.depth.get('frontend')).toBe(0);
    expect(app.depth.get('payment')).toBe(2);
    expect(app.depth.get('redis')).toBe(2);
    expect(app.workloads.find((w) => w.name === 'redis')?.isRedis).toBe(true);
    expect(app.workloads.filter((w) => w.isPostgres).map((w) => w.name)).toEqual(['postgres']);
    expect(app.workloads.find((w) => w.name === 'payment')?.configKeys).toContain('providerLimitUsd');
    expect(app.workloads.find((w) => w.name === 'redis')?.configKeys).toEqual([]);
  });

  it('knows what each readiness check reaches, through the services that leave their Service when not ready', () => {
    const app = appModel(objects);
    expect([...readinessReach(app, 'frontend')].sort()).toEqual(
      [
        'cart',
        'catalog',
        'checkout',
        'currency',
        'inventory',
        'payment',
        'postgres',
        'redis',
        'shipping',
      ].sort(),
    );
    expect([...readinessReach(app, 'inventory')]).toEqual(['postgres']);
    expect([...readinessReach(app, 'payment')]).toEqual([]);
    expect(app.workloads.filter((w) => w.livenessCanAskReadiness).map((w) => w.name)).toContain('checkout');
    expect(app.workloads.find((w) => w.name === 'postgres')?.livenessCanAskReadiness).toBe(false);
    expect(app.workloads.find((w) => w.name === 'redis')?.readiness).toEqual([]);
  });
});

describe('recipes', () => {
  it("gives a noisy neighbour a share of the target's own budget: past the 80 % alert with the service's own use, short of the limit", () => {
    const app = appModel(objects);
    const rng = new SeededRandom('neighbour', 'test');
    const memory = RECIPES.find((r) => r.type === 'memory-stress');
    const cpu = RECIPES.find((r) => r.type === 'cpu-stress');
    expect(memory?.neighbour && cpu?.neighbour).toBe(true);
    for (const w of memory?.eligible(app) ?? []) {
      const limitMiB = (w.memoryLimit ?? 0) / (1024 * 1024);
      for (let i = 0; i < 20; i++) {
        const size = Number(memory?.params(rng, w, app).sizeMiB);
        expect(size / limitMiB).toBeGreaterThanOrEqual(0.41);
        expect(size / limitMiB).toBeLessThanOrEqual(0.5);
      }
    }
    expect((cpu?.eligible(app) ?? []).every((w) => (w.cpuLimit ?? 0) > 0)).toBe(true);
    expect(app.workloads.find((w) => w.name === 'catalog')).toMatchObject({
      memoryLimit: 192 * 1024 * 1024,
      cpuLimit: 0.5,
    });
  });

  it('each has a workload of the shop to act on, a target of a kind its type takes, and params its schema accepts', () => {
    const app = appModel(objects);
    const registry = defaultCatalog();
    const rng = new SeededRandom('recipes', 'test');
    for (const r of RECIPES) {
      const type = registry.get(r.type);
      expect({ type: r.type, known: type !== undefined }).toEqual({ type: r.type, known: true });
      const eligible = r.eligible(app);
      expect({ type: r.type, eligible: eligible.length > 0 }).toEqual({ type: r.type, eligible: true });
      for (const w of eligible) {
        const target = parseEntityId(r.target(w, app));
        expect(type?.targetKinds).toContain(target.kind);
        for (const params of [r.params(rng, w, app), ...(r.partial ? [r.partial(rng, w, app)] : [])]) {
          expect({
            type: r.type,
            target: target.name,
            problems: type?.params.safeParse(params).error?.issues,
          }).toEqual({
            type: r.type,
            target: target.name,
            problems: undefined,
          });
        }
      }
    }
  });

  it('aims the PostgreSQL faults at the database and the poison message at the order stream’s producer', () => {
    const app = appModel(objects);
    const targets = (type: string): string[] => {
      const r = RECIPES.find((x) => x.type === type);
      return (r?.eligible(app) ?? []).map((w) => r?.target(w, app) ?? '');
    };
    for (const t of ['db-connection-limit', 'db-read-only', 'db-lock-held'])
      expect(targets(t)).toEqual(['shop/Deployment/postgres']);
    expect(targets('queue-poison-message')).toEqual(['shop/Deployment/checkout']);
    expect(targets('queue-consumer-stall')).toEqual([
      'shop/Deployment/accounting',
      'shop/Deployment/fulfillment',
    ]);
  });

  it('puts a link fault between a workload and one of its callers', () => {
    const app = appModel(objects);
    const rng = new SeededRandom('links', 'test');
    for (const type of ['network-delay', 'network-loss', 'network-partition']) {
      const r = RECIPES.find((x) => x.type === type);
      for (const w of r?.eligible(app) ?? []) {
        const { from } = r?.params(rng, w, app) as { from: string };
        expect({ type, target: w.name, calls: app.workloads.find((c) => c.name === from)?.calls }).toEqual({
          type,
          target: w.name,
          calls: expect.arrayContaining([w.name]) as string[],
        });
      }
    }
  });
});

const envChange = (params: unknown): string => {
  const p = params as { name: string; value: string };
  return `${p.name}=${p.value}`;
};

describe('generateScenarios', () => {
  const gen = (seed: number, extra: Partial<Parameters<typeof generateScenarios>[0]> = {}) =>
    generateScenarios({ count: 16, seed, registry: defaultCatalog(), objects, ...extra });

  it('gives the same files from the same seed and other ones from another', () => {
    const a = gen(11).map((g) => g.text);
    expect(gen(11).map((g) => g.text)).toEqual(a);
    expect(gen(12).map((g) => g.text)).not.toEqual(a);
  });

  it('writes only scenarios that validate, covering every pattern in turn', () => {
    const g = gen(5);
    expect(g).toHaveLength(16);
    for (const x of g) expect(checkScenarioText(x.text, x.file, defaultCatalog()).problems).toEqual([]);
    const patterns = new Set(g.flatMap((x) => x.scenario.metadata.tags));
    for (const p of PATTERN_IDS) expect(patterns).toContain(p);
  });

  it('keeps to a substrate, and a distractor names only its cause', () => {
    const local = gen(9, { substrate: 'local' });
    for (const x of local) expect(x.scenario.spec.substrates).toContain('local');
    const distractors = gen(9, { patterns: ['distractor'] });
    expect(distractors.length).toBeGreaterThan(0);
    for (const d of distractors) {
      const [decoy, cause] = d.scenario.spec.faults;
      // A link fault's caller is also to blame: a distractor's one-cause truth cannot hold it.
      expect(RECIPES.find((r) => r.type === cause.type)?.link).toBeUndefined();
      expect(decoy.type).toBe('env-override');
      expect(ENV_CHANGES.map(([n, v]) => `${n}=${v}`)).toContain(envChange(decoy.params));
      expect(d.scenario.spec.groundTruth.rootCauses.map((r) => r.id)).toEqual([cause.target]);
      expect(d.scenario.spec.groundTruth.rootCauses.map((r) => r.id)).not.toContain(decoy.target);
    }
  });

  it('hides a latent config until a harmless rollout of its reader, and names only the config', () => {
    const latent = gen(21, { patterns: ['latent'] });
    expect(latent.length).toBeGreaterThan(0);
    const modes = new Set<unknown>();
    for (const l of latent) {
      const [config, rollout] = l.scenario.spec.faults;
      expect(config.type).toBe('config-corruption');
      expect(config.params).toMatchObject({ restart: false });
      modes.add((config.params as { mode?: string }).mode);
      expect(config.atMs).toBe(0);
      expect(rollout.type).toBe('env-override');
      expect(rollout.atMs).toBeGreaterThanOrEqual(60_000);
      expect(rollout.atMs).toBeLessThanOrEqual(120_000);
      // the rollout restarts the config's reader: the Deployment named like the ConfigMap's service
      expect(rollout.target.replace('/Deployment/', '/ConfigMap/') + '-config').toBe(config.target);
      expect(ENV_CHANGES.map(([n, v]) => `${n}=${v}`)).toContain(envChange(rollout.params));
      expect(l.scenario.spec.groundTruth.rootCauses.map((r) => r.id)).toEqual([config.target]);
      // what to wait for is the config's effect, not an unready pod of the harmless rollout
      expect(l.scenario.spec.expect.alerts).not.toContain('KubePodNotReady');
      expect(l.scenario.spec.observe.timeoutMs).toBeGreaterThanOrEqual(240_000 + rollout.atMs);
    }
    expect(modes).toEqual(new Set(['truncate', 'set']));
  });

  it('deploys a service with liveness asking readiness and takes out something that check reaches', () => {
    const app = appModel(objects);
    const made = [31, 32, 33, 34, 35, 36].flatMap((seed) => gen(seed, { patterns: ['latent-condition'] }));
    expect(made.length).toBeGreaterThan(0);
    const causes = new Set<string>();
    for (const x of made) {
      const { preconditions = [], faults, groundTruth, expect: exp, observe } = x.scenario.spec;
      expect(preconditions).toHaveLength(1);
      expect(faults).toHaveLength(1);
      const victim = parseEntityId(preconditions[0].target).name;
      const cause = faults[0];
      causes.add(cause.type);
      expect(preconditions[0].type).toBe('liveness-asks-readiness');
      expect(readinessReach(app, victim).has(parseEntityId(cause.target).name)).toBe(true);
      // the outage is total: no pod left, or no connection taken
      if (cause.type === 'db-connection-limit') expect(cause.params).toMatchObject({ limit: 0 });
      expect(groundTruth.rootCauses.map((r) => r.id)).toEqual([cause.target]);
      expect(exp.alerts).toContain('KubePodCrashLooping');
      expect(observe.until).toMatchObject({ alerts: ['KubePodCrashLooping'], mode: 'any' });
      expect(x.scenario.metadata.tags).toContain('latent-condition');
    }
    expect(causes).toEqual(new Set(['scale-to-zero', 'db-connection-limit', 'redis-auth-change']));
  });

  it('draws wrong values that fail calls and business limits that only refuse orders, each expecting its own alert', () => {
    const wrong = [40, 41, 42, 43, 44, 45].flatMap((seed) => gen(seed, { patterns: ['wrong-value'] }));
    const limitOf = (w: (typeof wrong)[number]) =>
      w.scenario.spec.faults[0].params as { path?: string; value: number };
    const charge = wrong.filter((w) => limitOf(w).path === 'providerLimitUsd');
    const units = wrong.filter((w) => limitOf(w).path === 'maxUnitsPerOrder');
    const items = wrong.filter((w) => limitOf(w).path === 'maxItems');
    expect(charge.length).toBeGreaterThan(0);
    expect(units.length).toBeGreaterThan(0);
    expect(items.length).toBeGreaterThan(0);
    // 0 only: a cart limit of 1 still lets the first product in, and the order is placed
    for (const l of items) expect(limitOf(l).value).toBe(0);
    for (const l of charge) {
      expect(l.scenario.spec.faults[0].target).toBe('shop/ConfigMap/payment-config');
      // low enough that at least two orders in five are refused (shop carts: 1-3 items of 5-110 USD)
      expect(limitOf(l).value).toBeLessThanOrEqual(100);
    }
    for (const l of units) {
      expect(l.scenario.spec.faults[0].target).toBe('shop/ConfigMap/inventory-config');
      // at most 3 units an order: more than a third of the journeys' orders (1-3 items, 1-2 units each)
      expect(limitOf(l).value).toBeLessThanOrEqual(3);
    }
    for (const l of [...charge, ...units])
      expect(l.scenario.spec.expect.alerts).toEqual(['ShopOrdersRejected']);
    expect(wrong.some((w) => w.scenario.spec.expect.alerts.includes('ShopDependencyErrors'))).toBe(true);
  });

  it('fails name lookups only of HTTP callees, whose connections turn over, not of Redis or PostgreSQL', () => {
    let seen = 0;
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
      for (const x of gen(seed)) {
        for (const f of x.scenario.spec.faults) {
          if (f.type !== 'dns-failure') continue;
          seen++;
          expect(['redis', 'postgres']).not.toContain((f.params as { name: string }).name);
          expect(x.scenario.spec.expect.alerts).toContain('ShopDependencyErrors');
        }
      }
    }
    expect(seen).toBeGreaterThan(0);
  });

  it("puts HTTP error shares and delays only on services that serve HTTP, not on the order stream's consumers", () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      for (const x of gen(seed)) {
        for (const f of x.scenario.spec.faults) {
          if (f.type !== 'app-error-rate' && f.type !== 'app-latency') continue;
          expect(ORDER_STREAM_CONSUMERS).not.toContain(f.target.split('/').pop());
        }
      }
    }
  });

  it('draws the history before the fault alike for every pattern, so its length tells none apart', () => {
    const byPattern = new Map<string, Set<number>>();
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8])
      for (const x of gen(seed, { count: 22 })) {
        const pattern = x.scenario.metadata.tags[1];
        const seen = byPattern.get(pattern) ?? new Set<number>();
        seen.add(x.scenario.spec.observe.window.beforeMs);
        byPattern.set(pattern, seen);
      }
    expect([...byPattern.keys()].sort()).toEqual([...PATTERN_IDS].sort());
    for (const [pattern, seen] of byPattern)
      expect({ pattern, lengths: seen.size > 2 }).toEqual({ pattern, lengths: true });
  });

  it('puts a multi-hop cause at least two calls below the storefront', () => {
    const app = appModel(objects);
    for (const x of gen(3, { patterns: ['multi-hop'] })) {
      const name = (x.scenario.spec.faults[0].target.split('/').pop() ?? '').replace(/-config$/, '');
      expect(app.depth.get(name)).toBeGreaterThanOrEqual(2);
    }
  });
});
