import { fakeTarget } from '../faults/testing/fake-target.js';
import type { KubeObject } from '../kube/kube-object.js';
import { silentLogger } from '../logging/logger.js';
import { readyDeployment } from '../runner/testing/staged-world.js';
import { ManualClock } from '../util/manual-clock.js';
import { SeededRandom } from '../util/seeded-random.js';
import { ACTIVITIES } from './activities.js';
import { buildTag } from './activities/release.js';
import { ENV_CHANGES } from './activities/rollout.js';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadScenarioFile } from '../scenario/load-scenario.js';
import { REPO_ROOT } from '../version.js';
import type { ActivityContext } from './activity-kind.js';
import type { PlannedAction } from './background-action.js';
import { BackgroundRunner } from './background-runner.js';
import { drawCount, EPISODE_END_LEAD_MS, planBackground } from './plan-background.js';

function shopService(name: string): KubeObject {
  const d = readyDeployment('shop', name);
  const spec = d.spec as {
    template: { spec: { containers: Array<{ env: Array<{ name: string; value: string }> }> } };
  };
  spec.template.spec.containers[0].env.push({ name: 'SHOP_SERVICE', value: name });
  return d;
}

/** A shop Deployment whose pods mount the ConfigMap `cm` as their config volume. */
function mountingConfig(name: string, cm: string): KubeObject {
  const d = shopService(name);
  (d.spec as { template: { spec: { volumes?: unknown[] } } }).template.spec.volumes = [
    { name: 'config', configMap: { name: cm } },
  ];
  return d;
}

/** A ConfigMap holding a service's config file. */
function configFile(name: string, json: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: 'shop' },
    data: { 'config.json': json },
  };
}

function world(extra: KubeObject[] = []): {
  ctx: ActivityContext;
  target: ReturnType<typeof fakeTarget>;
  clock: ManualClock;
} {
  const redis = readyDeployment('shop', 'redis');
  (
    redis.spec as { template: { spec: { containers: Array<{ image: string }> } } }
  ).template.spec.containers[0].image = 'redis:7.0.15';
  const postgres = readyDeployment('shop', 'postgres');
  (
    postgres.spec as { template: { spec: { containers: Array<{ image: string }> } } }
  ).template.spec.containers[0].image = 'postgres:15';
  const target = fakeTarget([
    shopService('cart'),
    shopService('catalog'),
    shopService('payment'),
    redis,
    postgres,
    ...extra,
  ]);
  const clock = new ManualClock();
  return {
    target,
    clock,
    ctx: {
      target,
      namespace: 'shop',
      excluded: new Set(['payment']),
      heldSettings: new Set(),
      now: () => new Date(clock.now()),
      logger: silentLogger(),
    },
  };
}

const action = (kind: PlannedAction['kind'], over: Partial<PlannedAction> = {}): PlannedAction => ({
  kind,
  atMs: 0,
  pick: 0,
  params: ACTIVITIES.get(kind)?.plan(new SeededRandom('k', kind)).params ?? {},
  ...over,
});

describe('planBackground', () => {
  const times = { windowStartMs: 30_000, firstFaultMs: 60_000, earliestFaultMs: 60_000, horizonMs: 180_000 };
  const all = ['objects', 'settings', 'rollouts', 'pod-lifecycle', 'jobs'] as const;

  it('draws the same schedule from the same key, another from another, inside the run', () => {
    const a = planBackground({ profile: 'typical', counts: {} }, times, all, new SeededRandom('s', 'run-0'));
    const b = planBackground({ profile: 'typical', counts: {} }, times, all, new SeededRandom('s', 'run-0'));
    const c = planBackground({ profile: 'typical', counts: {} }, times, all, new SeededRandom('s', 'run-1'));
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(a.map((x) => x.kind).sort()).toEqual(
      [
        'cache-bypass',
        // typical's means drawn for this key: two error blips (mean 1), one latency blip (mean 2)
        'error-blip',
        'error-blip',
        'failing-job',
        'job',
        'latency-blip',
        'reschedule',
        'rollout',
        'rollout',
        'scale',
      ].sort(),
    );
    for (const x of a) {
      expect(x.atMs).toBeGreaterThanOrEqual(0);
      expect(x.atMs).toBeLessThanOrEqual(times.horizonMs);
    }
    expect([...a].sort((x, y) => x.atMs - y.atMs)).toEqual(a);
  });

  it('plans an earlier episode before the earliest the fault could come, settled by then', () => {
    let planned = 0;
    let visible = 0;
    for (let i = 0; i < 100; i++) {
      // a window of `before` 30 s whose drawn lead is 30–120 s: the fault comes 0–90 s after the earliest
      const lead = 30_000 + (i % 10) * 10_000;
      const t = {
        ...times,
        windowStartMs: times.firstFaultMs - lead,
        earliestFaultMs: times.firstFaultMs - lead + 30_000,
      };
      const bursts = planBackground(
        { profile: 'quiet', counts: { 'error-burst': 1 } },
        t,
        all,
        new SeededRandom('s', `burst-${i}`),
      ).filter((x) => x.kind === 'error-burst');
      planned += bursts.length;
      for (const b of bursts) {
        const end = b.atMs + (b.durationMs ?? 0);
        expect(t.earliestFaultMs - end).toBeGreaterThanOrEqual(EPISODE_END_LEAD_MS[0]);
        expect(t.earliestFaultMs - end).toBeLessThanOrEqual(EPISODE_END_LEAD_MS[1]);
        // its alerts resolve about 57 s after it ends: 13 s of clean rate window before the earliest fault
        expect(end + 70_000).toBeLessThanOrEqual(t.earliestFaultMs);
        // and are still firing when a window with `before` 30 s opens (window start = earliest - 30 s)
        if (end + 57_000 > t.earliestFaultMs - 30_000) visible++;
        expect(b.durationMs).toBeGreaterThanOrEqual(20_000);
        expect(b.durationMs).toBeLessThanOrEqual(30_000);
        expect(Number(b.params.fraction)).toBeGreaterThanOrEqual(0.3);
      }
    }
    expect(planned).toBeGreaterThan(20);
    // dated by its start (100-140 s before, until session 17), 1 in 4 showed in the window
    expect(visible / planned).toBeGreaterThan(0.45);
  });

  it('never bypasses two caches at once: a later bypass waits for the one before to end', () => {
    let pairs = 0;
    for (let i = 0; i < 50; i++) {
      const bypasses = planBackground(
        { profile: 'quiet', counts: { 'cache-bypass': 3 } },
        times,
        all,
        new SeededRandom('s', `bypass-${i}`),
      ).filter((x) => x.kind === 'cache-bypass');
      for (let k = 1; k < bypasses.length; k++) {
        pairs++;
        const before = bypasses[k - 1];
        expect(bypasses[k].atMs).toBeGreaterThanOrEqual(before.atMs + (before.durationMs ?? Infinity));
      }
    }
    // three per run on average over 60-100 s each: without the queue many would overlap
    expect(pairs).toBeGreaterThan(50);
  });

  it("dates an episode from the window's start, so neither its place nor its presence tells the fault's time", () => {
    // the same window start, the fault at the earliest it could come or 90 s later: the same episodes
    const at = (firstFaultMs: number) =>
      planBackground(
        { profile: 'quiet', counts: { 'error-burst': 3 } },
        {
          ...times,
          windowStartMs: 200_000,
          earliestFaultMs: 230_000,
          firstFaultMs,
          horizonMs: firstFaultMs + 60_000,
        },
        all,
        new SeededRandom('s', 'same-draw'),
      )
        .filter((x) => x.kind === 'error-burst')
        .map((x) => x.atMs);
    expect(at(230_000).length).toBeGreaterThan(0);
    expect(at(230_000)).toEqual(at(320_000));
  });

  it('leaves out what the substrate cannot do, and honours per-kind counts and the quiet profile', () => {
    const noJobs = planBackground(
      { profile: 'busy', counts: { rollout: 1 } },
      times,
      ['objects', 'settings', 'rollouts'],
      new SeededRandom('s', 'x'),
    );
    expect(noJobs.some((x) => x.kind === 'job' || x.kind === 'reschedule')).toBe(false);
    // The scenario's count is a mean: over many runs, about one rollout each.
    const rollouts = Array.from(
      { length: 200 },
      (_, i) =>
        planBackground(
          { profile: 'busy', counts: { rollout: 1 } },
          times,
          all,
          new SeededRandom('s', `r${i}`),
        ).filter((x) => x.kind === 'rollout').length,
    );
    expect(Math.max(...rollouts)).toBeLessThanOrEqual(2);
    expect(rollouts.reduce((a, n) => a + n, 0) / rollouts.length).toBeCloseTo(1, 0);
    expect(planBackground({ profile: 'quiet', counts: {} }, times, all, new SeededRandom('s', 'x'))).toEqual(
      [],
    );
  });

  it('draws a count around its mean, so runs of one profile differ; a fraction below one is a chance', () => {
    const draws = (mean: number) =>
      Array.from({ length: 400 }, (_, i) => drawCount(mean, new SeededRandom('s', `run-${mean}-${i}`)));
    const avg = (xs: number[]) => xs.reduce((a, x) => a + x, 0) / xs.length;
    const four = draws(4);
    expect(avg(four)).toBeGreaterThan(3.7);
    expect(avg(four)).toBeLessThan(4.3);
    expect(Math.min(...four)).toBeLessThanOrEqual(2);
    expect(Math.max(...four)).toBeGreaterThanOrEqual(6);
    const half = draws(0.5);
    expect(new Set(half)).toEqual(new Set([0, 1]));
    expect(avg(half)).toBeGreaterThan(0.4);
    expect(avg(half)).toBeLessThan(0.6);
    expect(drawCount(0, new SeededRandom('s', 'x'))).toBe(0);
  });

  it('plans kinds whose trace is history from the start of the warmup, the others from before the window', () => {
    const plan = (seed: string) =>
      planBackground(
        { profile: 'quiet', counts: { 'probe-restart': 10, reschedule: 10 } },
        times,
        all,
        new SeededRandom('s', seed),
      );
    const runs = Array.from({ length: 10 }, (_, i) => `run-${i}`).flatMap(plan);
    const at = (kind: string) => runs.filter((x) => x.kind === kind).map((x) => x.atMs);
    expect(at('probe-restart').length).toBeGreaterThan(70);
    expect(Math.min(...at('probe-restart'))).toBeLessThan(times.windowStartMs - 20_000);
    expect(Math.min(...at('reschedule'))).toBeGreaterThanOrEqual(times.windowStartMs - 20_000);
    const chronic = planBackground(
      { profile: 'quiet', counts: { 'chronic-errors': 5 } },
      times,
      all,
      new SeededRandom('s', 'a'),
    );
    expect(chronic.length).toBeGreaterThan(0);
    for (const x of chronic) {
      expect(x.atMs).toBeLessThanOrEqual(10_000);
      expect(x.durationMs).toBeUndefined();
    }
    // Without a kubelet that restarts containers, no probe-restart.
    expect(
      planBackground(
        { profile: 'quiet', counts: { 'probe-restart': 3 } },
        times,
        ['objects', 'settings'],
        new SeededRandom('s', 'a'),
      ),
    ).toEqual([]);
  });
});

describe('background activities', () => {
  it('rolls out an eligible Deployment, never an excluded one or a data store (Redis, PostgreSQL)', async () => {
    const { ctx, target } = world();
    for (const pick of [0, 0.5, 0.99]) {
      const out = await ACTIVITIES.get('rollout')?.run(
        action('rollout', { pick, params: { change: 'env', name: 'TZ', value: 'UTC' } }),
        ctx,
      );
      expect(['shop/Deployment/cart', 'shop/Deployment/catalog']).toContain(out?.target);
    }
    const cart = await target.objects.get('Deployment', 'shop', 'cart');
    const env = (
      cart?.spec as {
        template: { spec: { containers: Array<{ env: Array<{ name: string; value: string }> }> } };
      }
    ).template.spec.containers[0].env;
    expect(env).toContainEqual({ name: 'TZ', value: 'UTC' });
    // The run's fault target writes change-cause, for faults and background alike; the activity never does.
    expect(cart?.metadata.annotations?.['kubernetes.io/change-cause']).toBeUndefined();
  });

  it('rewrites a dependency address in another form that reaches the same Service, or restarts', async () => {
    const { ctx, target } = world([
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'catalog', namespace: 'shop' }, spec: {} },
    ]);
    const cart = await target.objects.get('Deployment', 'shop', 'cart');
    const c = (cart?.spec as { template: { spec: { containers: Array<{ env?: unknown[] }> } } }).template.spec
      .containers[0];
    c.env = [
      { name: 'CATALOG_URL', value: 'http://catalog:8080' },
      { name: 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', value: 'http://jaeger.observability:4318/v1/traces' },
    ];
    if (cart) await target.objects.apply(cart);
    const out = await ACTIVITIES.get('rollout')?.run(
      action('rollout', { pick: 0, params: { change: 'address', variable: 0.9, form: 0.9 } }),
      ctx,
    );
    expect(out?.detail).toBe('rolled out (address: CATALOG_URL=http://catalog.shop.svc.cluster.local:8080)');
    // catalog has no such variable: a restart instead.
    const other = await ACTIVITIES.get('rollout')?.run(
      action('rollout', { pick: 0.99, params: { change: 'address', variable: 0, form: 0 } }),
      ctx,
    );
    expect(other).toMatchObject({ target: 'shop/Deployment/catalog', detail: 'rolled out (address)' });
  });

  it('edits one harmless value of a config file in place and rolls out its readers, never an excluded one', async () => {
    const config = '{\n  "logLevel": "info",\n  "cacheTtlSeconds": 30,\n  "storeLatencyMs": 40\n}\n';
    const { ctx, target } = world([
      mountingConfig('search', 'search-config'),
      configFile('search-config', config),
      mountingConfig('billing', 'payment-config'),
      configFile('payment-config', config),
    ]);
    ctx.excluded = new Set(['payment-config']);
    const outs = [];
    for (const pick of [0, 0.99])
      outs.push(
        await ACTIVITIES.get('config-edit')?.run(
          action('config-edit', { pick, params: { value: 0.99 } }),
          ctx,
        ),
      );
    expect(outs.map((o) => o?.detail)).toEqual(['logLevel set to "debug"', 'cacheTtlSeconds set to 60']);
    expect(outs.map((o) => o?.target)).toEqual([
      'shop/ConfigMap/search-config',
      'shop/ConfigMap/search-config',
    ]);
    expect((await target.objects.get('ConfigMap', 'shop', 'search-config'))?.data?.['config.json']).toBe(
      config.replace('"info"', '"debug"').replace('30', '60'),
    );
    expect((await target.objects.get('ConfigMap', 'shop', 'payment-config'))?.data?.['config.json']).toBe(
      config,
    );
    const template = (await target.objects.get('Deployment', 'shop', 'search'))?.spec as {
      template: { metadata?: { annotations?: Record<string, string> } };
    };
    expect(template.template.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt']).toBeDefined();
  });

  it('never draws a config file that an excluded Deployment also mounts', async () => {
    const config = '{ "logLevel": "info" }';
    for (const pick of [0, 0.5, 0.99]) {
      const { ctx } = world([
        mountingConfig('search', 'shared-config'),
        mountingConfig('billing', 'shared-config'),
        configFile('shared-config', config),
        mountingConfig('reports', 'reports-config'),
        configFile('reports-config', config),
      ]);
      ctx.excluded = new Set(['billing']);
      const out = await ACTIVITIES.get('config-edit')?.run(
        action('config-edit', { pick, params: { value: 0 } }),
        ctx,
      );
      expect(out).toMatchObject({ target: 'shop/ConfigMap/reports-config' });
    }
  });

  it('re-applies a manifest with a longer grace period, never with a config checksum no ConfigMap edit explains', async () => {
    const { ctx, target } = world();
    const rollout = ACTIVITIES.get('rollout');
    // Helm changes checksum/config only with the ConfigMap; one that appears alone marks a rollout as background.
    for (let seed = 0; seed < 200; seed++) {
      const params = rollout?.plan(new SeededRandom('manifest', String(seed))).params;
      if (params?.change !== 'manifest') continue;
      expect(params).toEqual({ change: 'manifest', gracePeriodSeconds: expect.any(Number) });
    }
    await rollout?.run(
      action('rollout', { pick: 0.99, params: { change: 'manifest', gracePeriodSeconds: 45 } }),
      ctx,
    );
    const template = (name: string): Promise<unknown> =>
      target.objects.get('Deployment', 'shop', name).then((d) => (d?.spec as { template: unknown }).template);
    expect(await template('catalog')).toMatchObject({ spec: { terminationGracePeriodSeconds: 45 } });
    expect(JSON.stringify(await template('catalog'))).not.toContain('checksum/config');
  });

  it('scales up and back, deletes a pod, and holds a setting only for its time', async () => {
    const { ctx, target } = world([
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'cart-abc-12345', namespace: 'shop', labels: { 'app.kubernetes.io/name': 'cart' } },
        status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
      },
    ]);
    const up = await ACTIVITIES.get('scale')?.run(action('scale', { params: { add: 1 } }), ctx);
    expect((await target.objects.get('Deployment', 'shop', 'cart'))?.spec?.replicas).toBe(2);
    await up?.undo?.();
    expect((await target.objects.get('Deployment', 'shop', 'cart'))?.spec?.replicas).toBe(1);
    // a single replica is never drained (its replacement starting would be an outage); two may lose one
    const alone = await ACTIVITIES.get('reschedule')?.run(action('reschedule', { params: { pod: 0 } }), ctx);
    expect(alone?.target).toBeNull();
    const cart = await target.objects.get('Deployment', 'shop', 'cart');
    if (cart) await target.objects.apply({ ...cart, spec: { ...cart.spec, replicas: 2 } });
    await target.objects.apply({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'cart-abc-67890', namespace: 'shop', labels: { 'app.kubernetes.io/name': 'cart' } },
      status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
    });
    const gone = await ACTIVITIES.get('reschedule')?.run(action('reschedule', { params: { pod: 0 } }), ctx);
    expect(gone?.target).toBe('shop/Pod/cart-abc-12345');
    expect(await target.objects.get('Pod', 'shop', 'cart-abc-12345')).toBeUndefined();
    const blip = await ACTIVITIES.get('cache-bypass')?.run(action('cache-bypass', { pick: 0.99 }), ctx);
    expect(blip?.target).toBe('shop/Deployment/catalog');
    expect(target.flags.values.get('catalog.cache')).toEqual({ enabled: false });
    await blip?.undo?.();
    expect(target.flags.values.has('catalog.cache')).toBe(false);
  });

  it('reschedules only within a disruption budget: never a workload with a pod missing or unready, or a lone pod', async () => {
    const pod = (name: string, app: string, ready: boolean): KubeObject => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'shop', labels: { 'app.kubernetes.io/name': app } },
      status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
    });
    // cart wants two and its replacement pod is still starting; catalog wants two and has one live pod; orders
    // runs a single replica; search has its two, ready
    const { ctx, target } = world([
      pod('cart-abc-11111', 'cart', true),
      pod('cart-abc-22222', 'cart', false),
      pod('catalog-def-33333', 'catalog', true),
      pod('orders-jkl-55555', 'orders', true),
      shopService('orders'),
      pod('search-ghi-44444', 'search', true),
      pod('search-ghi-66666', 'search', true),
      shopService('search'),
    ]);
    for (const name of ['cart', 'catalog', 'search']) {
      const d = await target.objects.get('Deployment', 'shop', name);
      expect(d).toBeDefined();
      if (d) await target.objects.apply({ ...d, spec: { ...d.spec, replicas: 2 } });
    }
    // 0 picks the first eligible Deployment by name: cart, then catalog, then orders, were they allowed
    const out = await ACTIVITIES.get('reschedule')?.run(
      action('reschedule', { pick: 0, params: { pod: 0 } }),
      ctx,
    );
    expect(out?.target).toBe('shop/Pod/search-ghi-44444');
    expect(await target.objects.get('Pod', 'shop', 'cart-abc-11111')).toBeDefined();
  });

  it('bypasses the cache of catalog or of cart, so the flapping alert names either', async () => {
    const { ctx, target } = world();
    const seen = new Set<string>();
    for (const pick of [0, 0.99]) {
      const blip = await ACTIVITIES.get('cache-bypass')?.run(action('cache-bypass', { pick }), ctx);
      seen.add(String(blip?.target));
      await blip?.undo?.();
    }
    expect([...seen].sort()).toEqual(['shop/Deployment/cart', 'shop/Deployment/catalog']);
    expect(target.flags.values.size).toBe(0);
  });

  it('leaves a cache in front of a faulty service alone when the bypass would last into the incident', async () => {
    const { ctx, clock } = world();
    const incidentFrom = clock.now() + 120_000;
    const near = { ...ctx, faultTargets: new Set(['catalog']), excludedFrom: () => incidentFrom };
    const pickOf = async (c: typeof ctx, durationMs: number): Promise<string> => {
      const blip = await ACTIVITIES.get('cache-bypass')?.run(
        action('cache-bypass', { pick: 0, durationMs }),
        c,
      );
      await blip?.undo?.();
      return String(blip?.target);
    };
    // 0 picks cart (first by name), whose cache keeps catalog's prices: over before the incident, it may
    expect(await pickOf(near, 60_000)).toBe('shop/Deployment/cart');
    // lasting into it, every cart read would call the failing catalog: catalog's own cache instead
    expect(await pickOf(near, 150_000)).toBe('shop/Deployment/catalog');
    // a fault elsewhere leaves both caches free
    expect(await pickOf({ ...near, faultTargets: new Set(['payment']) }, 150_000)).toBe(
      'shop/Deployment/cart',
    );
  });

  it('bursts errors only at a service others call, the fault targets included, and takes them back', async () => {
    const { ctx, target } = world([shopService('accounting')]);
    const seen = new Set<string>();
    for (const pick of [0, 0.3, 0.6, 0.99]) {
      const burst = await ACTIVITIES.get('error-burst')?.run(
        action('error-burst', { pick, params: { fraction: 0.4 } }),
        ctx,
      );
      seen.add(String(burst?.target));
      const service = String(burst?.target).split('/')[2];
      expect(target.flags.values.get(`${service}.errors`)).toEqual({ fraction: 0.4, status: 503 });
      await burst?.undo?.();
    }
    // accounting serves nothing anyone calls; payment is the scenario's (excluded) target.
    expect([...seen].sort()).toEqual([
      'shop/Deployment/cart',
      'shop/Deployment/catalog',
      'shop/Deployment/payment',
    ]);
    expect(target.flags.values.size).toBe(0);
    expect(ACTIVITIES.get('error-burst')?.alerts).toEqual(['ShopHighErrorRate', 'ShopDependencyErrors']);
  });

  it('rolls out or reschedules a fault target while the faults are still ahead, never from then on', async () => {
    const { ctx, clock } = world();
    const faultsFrom = clock.now() + 60_000;
    const before = { ...ctx, excludedFrom: () => faultsFrom };
    // payment is the scenario's target; 0.99 picks the last of cart, catalog, payment.
    const early = await ACTIVITIES.get('rollout')?.run(
      action('rollout', { pick: 0.99, params: { change: 'restart' } }),
      before,
    );
    expect(early?.target).toBe('shop/Deployment/payment');
    await clock.advance(60_000);
    const late = await ACTIVITIES.get('rollout')?.run(
      action('rollout', { pick: 0.99, params: { change: 'restart' } }),
      before,
    );
    expect(late?.target).toBe('shop/Deployment/catalog');
    // Without a time for the faults, the targets are out from the start, as before.
    const fresh = world();
    const always = await ACTIVITIES.get('rollout')?.run(
      action('rollout', { pick: 0.99, params: { change: 'restart' } }),
      fresh.ctx,
    );
    expect(always?.target).toBe('shop/Deployment/catalog');
  });

  it("sets every value the shipped scenarios' harmless env changes set, so none names its scenario", async () => {
    const dir = join(REPO_ROOT, 'scenarios', 'shop');
    const background = new Set(ENV_CHANGES.map(([n, v]) => `${n}=${v}`));
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml'))) {
      const s = await loadScenarioFile(join(dir, file));
      const rootCauses = new Set(s.spec.groundTruth.rootCauses.map((rc) => rc.id));
      for (const f of s.spec.faults) {
        if (
          f.type !== 'env-override' ||
          rootCauses.has(`${f.targetRef.namespace}/Deployment/${f.targetRef.name}`)
        )
          continue;
        const { name, value: set } = f.params as { name: string; value: string };
        const value = `${name}=${set}`;
        expect(background.has(value) ? value : `${file}: ${value}`).toBe(value);
      }
    }
  });

  it('releases a newer build of an eligible Deployment, never an excluded one or a data store', async () => {
    const { ctx, target } = world();
    const seen = new Set<string>();
    for (const pick of [0, 0.5, 0.99]) {
      const out = await ACTIVITIES.get('release')?.run(
        action('release', { pick, params: { commits: 12, hash: '3f9c2ab' } }),
        ctx,
      );
      seen.add(String(out?.target));
    }
    expect([...seen].sort()).toEqual(['shop/Deployment/cart', 'shop/Deployment/catalog']);
    const image = (name: string): Promise<unknown> =>
      target.objects
        .get('Deployment', 'shop', name)
        .then(
          (d) =>
            (d?.spec as { template: { spec: { containers: Array<{ image: string }> } } }).template.spec
              .containers[0].image,
        );
    expect(await image('cart')).toMatch(/:0\.1\.0-12-g3f9c2ab$/);
    expect(await image('payment')).not.toContain('-g');
  });

  it('names a build tag as git describe does, keeping the release of a tag that is already a build', () => {
    expect(buildTag('acme/shop:0.1.0', 12, '3f9c2ab')).toBe('acme/shop:0.1.0-12-g3f9c2ab');
    expect(buildTag('acme/shop:0.1.0-4-gabcdef0', 7, '1234567')).toBe('acme/shop:0.1.0-7-g1234567');
    expect(buildTag('localhost:5000/shop', 1, 'a')).toBeUndefined();
    expect(buildTag('acme/shop@sha256:' + '0'.repeat(64), 1, 'a')).toBeUndefined();
  });

  it('starts a Job from a CronJob the way kubectl create job --from does, and removes it afterwards', async () => {
    const cron: KubeObject = {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'catalog-sync', namespace: 'shop', uid: 'u-1' },
      spec: {
        schedule: '17 3 * * *',
        jobTemplate: {
          metadata: { labels: { app: 'x' } },
          spec: { backoffLimit: 1, template: { spec: { containers: [] } } },
        },
      },
    };
    const { ctx, target, clock } = world([cron]);
    const out = await ACTIVITIES.get('job')?.run(action('job'), ctx);
    const name = `catalog-sync-manual-${Math.floor(clock.now() / 1000)}`;
    expect(out?.target).toBe(`shop/Job/${name}`);
    const job = await target.objects.get('Job', 'shop', name);
    expect(job?.metadata.ownerReferences?.[0]).toMatchObject({
      kind: 'CronJob',
      name: 'catalog-sync',
      uid: 'u-1',
    });
    expect(job?.metadata.annotations?.['cronjob.kubernetes.io/instantiate']).toBe('manual');
    expect(job?.spec).toEqual({ backoffLimit: 1, template: { spec: { containers: [] } } });
    await out?.undo?.();
    expect(await target.objects.get('Job', 'shop', name)).toBeUndefined();
  });

  it('edits a CronJob to a port nothing serves and starts a run from it; the edit stays, the Job goes', async () => {
    const cron = (name: string, env: Array<{ name: string; value: string }>): KubeObject => ({
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name, namespace: 'shop', uid: `u-${name}` },
      spec: {
        schedule: '17 3 * * *',
        jobTemplate: {
          spec: { backoffLimit: 1, template: { spec: { containers: [{ name: 'c', image: 'i', env }] } } },
        },
      },
    });
    const { ctx, target, clock } = world([
      // A telemetry endpoint is not a dependency the job needs: never picked.
      cron('cart-cleanup', [
        { name: 'REDIS_PORT', value: '6379' },
        { name: 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', value: 'http://jaeger.observability:4318/v1/traces' },
      ]),
      cron('catalog-sync', [
        { name: 'CATALOG_URL', value: 'http://catalog:8080' },
        { name: 'SYNC_RPS', value: '20' },
      ]),
    ]);
    const run = (portOffset: number) =>
      ACTIVITIES.get('failing-job')?.run(action('failing-job', { params: { portOffset, which: 0.9 } }), ctx);
    const out = await run(10);
    const name = `catalog-sync-manual-${Math.floor(clock.now() / 1000)}`;
    expect(out).toMatchObject({
      target: `shop/Job/${name}`,
      detail:
        'CronJob catalog-sync: CATALOG_URL http://catalog:8080 → http://catalog:8090, then a run started from it',
    });
    const envOf = (o: KubeObject | undefined) =>
      (o?.spec as { jobTemplate?: { spec: { template: { spec: { containers: Array<{ env: unknown }> } } } } })
        ?.jobTemplate?.spec.template.spec.containers[0].env;
    const edited = await target.objects.get('CronJob', 'shop', 'catalog-sync');
    expect(envOf(edited)).toEqual([
      { name: 'CATALOG_URL', value: 'http://catalog:8090' },
      { name: 'SYNC_RPS', value: '20' },
    ]);
    const job = await target.objects.get('Job', 'shop', name);
    expect(job?.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'CronJob', name: 'catalog-sync' });
    expect(
      (job?.spec as { template: { spec: { containers: Array<{ env: unknown }> } } }).template.spec
        .containers[0].env,
    ).toEqual(envOf(edited));
    await out?.undo?.();
    expect(await target.objects.get('Job', 'shop', name)).toBeUndefined();
    expect(envOf(await target.objects.get('CronJob', 'shop', 'catalog-sync'))).toEqual(envOf(edited));

    // A CronJob the scenario names is left alone, and one without an address is never picked.
    ctx.excluded = new Set(['catalog-sync']);
    expect(await run(1)).toEqual({ target: null, detail: 'no CronJob with a dependency address' });
  });
});

describe('held settings', () => {
  it('never gives two actions the same setting of one service at once; an undo frees it', async () => {
    const { ctx, target } = world();
    // payment's fault holds its latency for the whole run (runner/run-scenario.ts).
    ctx.heldSettings.add('payment.latency');
    const blip = (pick: number) =>
      ACTIVITIES.get('latency-blip')?.run(
        action('latency-blip', { pick, params: { ms: 200, probability: 0.1 } }),
        ctx,
      );
    // cart, catalog eligible (payment's latency held): both pick the first, the second gets the other one.
    const first = await blip(0);
    const second = await blip(0);
    expect([first?.target, second?.target]).toEqual(['shop/Deployment/cart', 'shop/Deployment/catalog']);
    expect(await blip(0)).toEqual({ target: null, detail: 'no service for latency' });
    await first?.undo?.();
    expect(target.flags.values.has('cart.latency')).toBe(false);
    expect(target.flags.values.has('catalog.latency')).toBe(true);
    expect((await blip(0))?.target).toBe('shop/Deployment/cart');
    expect([...ctx.heldSettings].sort()).toEqual(['cart.latency', 'catalog.latency', 'payment.latency']);
  });

  it("may blip a fault's target on a setting the fault leaves free: the faulty service is not the one quiet one", async () => {
    const { ctx, target } = world();
    ctx.heldSettings.add('payment.latency');
    const out = await ACTIVITIES.get('error-blip')?.run(
      action('error-blip', { pick: 0.99, params: { fraction: 0.01 } }),
      ctx,
    );
    expect(out?.target).toBe('shop/Deployment/payment');
    expect(target.flags.values.get('payment.errors')).toEqual({ fraction: 0.01, status: 503 });
    // Rollouts, scaling and restarts still leave it alone.
    const rollout = await ACTIVITIES.get('scale')?.run(
      action('scale', { pick: 0.99, params: { add: 1 } }),
      ctx,
    );
    expect(rollout?.target).not.toBe('shop/Deployment/payment');
  });
});

describe('probe-restart', () => {
  it("slows one pod's liveness path past the probe's timeout, then clears it; never an excluded service or one with a single pod", async () => {
    const probed = (name: string): KubeObject => {
      const d = shopService(name);
      const c = (d.spec as { template: { spec: { containers: Array<Record<string, unknown>> } } }).template
        .spec.containers[0];
      c.livenessProbe = { httpGet: { path: '/healthz', port: 'http' }, timeoutSeconds: 2 };
      return d;
    };
    const pod = (name: string, app: string): KubeObject => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'shop', labels: { 'app.kubernetes.io/name': app } },
    });
    const { ctx, target } = world([
      probed('cart'),
      pod('cart-7c4b-aaaaa', 'cart'),
      probed('checkout'),
      probed('shipping'),
      pod('shipping-5d9f-aaaaa', 'shipping'),
      pod('shipping-5d9f-bbbbb', 'shipping'),
    ]);
    ctx.excluded = new Set(['checkout']);
    const out = await ACTIVITIES.get('probe-restart')?.run(
      action('probe-restart', { pick: 0, params: { ms: 5000, pod: 0.7 } }),
      ctx,
    );
    // One pod of the service, never all its replicas at once.
    expect(out).toMatchObject({ target: 'shop/Pod/shipping-5d9f-bbbbb' });
    expect(target.flags.values.get('shipping.latency')).toEqual({
      ms: 5000,
      probability: 1,
      route: '/healthz',
      pod: 'shipping-5d9f-bbbbb',
    });
    await out?.undo?.();
    expect(target.flags.values.has('shipping.latency')).toBe(false);
    ctx.excluded = new Set(['checkout', 'shipping']);
    expect(await ACTIVITIES.get('probe-restart')?.run(action('probe-restart'), ctx)).toEqual({
      target: null,
      detail: 'no Deployment with an HTTP liveness probe and two running pods',
    });
  });
});

describe('BackgroundRunner', () => {
  it('acts at each time, takes blips back when their time is up, and the rest when stopped', async () => {
    const { ctx, target, clock } = world();
    const actions: PlannedAction[] = [
      action('latency-blip', { atMs: 5_000, durationMs: 10_000, params: { ms: 200, probability: 0.1 } }),
      action('scale', { atMs: 8_000, params: { add: 1 } }),
    ];
    const r = new BackgroundRunner(actions, ctx, clock);
    r.start(clock.now());
    await clock.advance(6_000);
    expect([...target.flags.values.keys()]).toEqual(['cart.latency']);
    await clock.advance(10_000);
    expect(target.flags.values.size).toBe(0);
    expect((await target.objects.get('Deployment', 'shop', 'cart'))?.spec?.replicas).toBe(2);
    // Halted at the window's end: nothing more happens, and what is held stays for the capture.
    await r.halt();
    await clock.advance(60_000);
    expect((await target.objects.get('Deployment', 'shop', 'cart'))?.spec?.replicas).toBe(2);
    expect(r.records().map((x) => x.undoneAt !== null)).toEqual([true, false]);
    await r.stop();
    expect((await target.objects.get('Deployment', 'shop', 'cart'))?.spec?.replicas).toBe(1);
    const rec = r.records();
    expect(rec.map((x) => [x.kind, x.target, x.undoneAt !== null])).toEqual([
      ['latency-blip', 'shop/Deployment/cart', true],
      ['scale', 'shop/Deployment/cart', true],
    ]);
    expect(Date.parse(rec[0].undoneAt ?? '') - Date.parse(rec[0].at)).toBe(10_000);
  });

  it("lists an earlier episode's alerts for the run's checks, but not as alerts beside the incident", async () => {
    const { ctx, clock } = world();
    const r = new BackgroundRunner(
      [
        action('error-burst', { atMs: 1_000, durationMs: 2_000, params: { fraction: 0.4 } }),
        action('cache-bypass', { atMs: 2_000, durationMs: 2_000 }),
      ],
      ctx,
      clock,
    );
    r.start(clock.now());
    await clock.advance(5_000);
    await r.stop();
    expect(r.records().map((x) => [x.kind, x.target !== null])).toEqual([
      ['error-burst', true],
      ['cache-bypass', true],
    ]);
    // allowed before the fault by the run's checks
    expect(r.alerts()).toEqual(['ShopCacheHitRatioLow', 'ShopDependencyErrors', 'ShopHighErrorRate']);
    // in truth/background.json: left out by name when repeats are compared
    expect(r.alertsBesideIncident()).toEqual(['ShopCacheHitRatioLow']);
  });

  it('records a failed action and goes on', async () => {
    const { ctx, clock } = world();
    const r = new BackgroundRunner(
      [action('job', { atMs: 1_000 })],
      {
        ...ctx,
        target: {
          ...ctx.target,
          objects: { ...ctx.target.objects, list: async () => Promise.reject(new Error('api down')) },
        },
      },
      clock,
    );
    r.start(clock.now());
    await clock.advance(2_000);
    await r.stop();
    expect(r.records()[0]).toMatchObject({ kind: 'job', target: null, detail: 'failed: api down' });
  });
});
