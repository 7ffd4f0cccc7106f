import type { SyntheticShop } from './synthetic-shop.js';

/**
 * The background activity every snapshot will carry: a benign rollout (an annotation and a harmless env
 * change), a scale-up, a batch Job that runs and completes with its pods and events, routine Normal
 * events, benign warning lines (retries that succeed, slow requests under threshold, cache misses) and a
 * low-severity alert that flaps on its own. `avoid` keeps the noise off the workloads a test breaks.
 */
export function addBackground(shop: SyntheticShop, opts: { avoid?: string[]; at?: number } = {}): void {
  const avoid = new Set(opts.avoid ?? []);
  const pick = (names: string[]): string => names.find((n) => !avoid.has(n)) ?? names[0];
  const at = opts.at ?? 60;

  const rolled = pick(['shipping', 'currency', 'catalog', 'payment']);
  shop.rollout(rolled, at, (t) => {
    t.metadata = {
      ...t.metadata,
      annotations: { ...(t.metadata?.annotations ?? {}), 'example.com/build': '2030-03-01.2' },
    };
    const env = t.spec?.containers?.[0].env ?? [];
    const level = env.find((e) => e.name === 'LOG_LEVEL');
    if (level) level.value = 'debug';
  });

  const scaled = pick(['catalog', 'currency', 'shipping']);
  shop.scale(scaled, at + 40, 2);

  // A batch Job: pods that run, complete and leave Normal events behind.
  shop.add({
    entity: 'shop/Job/nightly-report-29012',
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'nightly-report-29012', namespace: 'shop', creationTimestamp: shop.iso(at + 10) },
    spec: {},
    status: { succeeded: 1 },
  });
  const jobPod = 'nightly-report-29012-x7k2p';
  shop.add({
    entity: `shop/Pod/${jobPod}`,
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: jobPod,
      namespace: 'shop',
      ownerReferences: [
        { apiVersion: 'batch/v1', kind: 'Job', name: 'nightly-report-29012', controller: true },
      ],
      creationTimestamp: shop.iso(at + 10),
    },
    spec: { nodeName: 'worker-a', containers: [{ name: 'report', image: 'acme/report:1.4.0' }] },
    status: { phase: 'Succeeded' },
  });
  shop.event(at + 10, 'Normal', 'SuccessfulCreate', 'Job', 'nightly-report-29012', `Created pod: ${jobPod}`);
  shop.event(
    at + 10,
    'Normal',
    'Scheduled',
    'Pod',
    jobPod,
    `Successfully assigned shop/${jobPod} to worker-a`,
  );
  shop.event(
    at + 11,
    'Normal',
    'Pulled',
    'Pod',
    jobPod,
    'Container image "acme/report:1.4.0" already present on machine',
  );
  shop.event(at + 11, 'Normal', 'Started', 'Pod', jobPod, 'Started container report');
  shop.event(at + 40, 'Normal', 'Completed', 'Job', 'nightly-report-29012', 'Job completed');
  shop.log(at + 12, jobPod, 'report', { level: 'info', msg: 'report started' });
  shop.log(at + 20, jobPod, 'report', { level: 'warn', msg: 'slow query: 840ms (threshold 1000ms)' });
  shop.log(at + 39, jobPod, 'report', { level: 'info', msg: 'report written' });
  shop.metric('kube_pod_status_phase', { pod: jobPod, phase: 'Succeeded' }, (s) =>
    s >= at + 40 && s < at + 100 ? 1 : undefined,
  );
  shop.metric('kube_pod_status_ready', { pod: jobPod, condition: 'false' }, (s) =>
    s >= at + 40 && s < at + 100 ? 1 : undefined,
  );

  // Benign warnings: a retry that succeeds, slow requests under threshold, cache misses.
  const warner = pick(['frontend', 'checkout', 'cart']);
  const pod = shop.podsOf(warner, 0)[0]?.name ?? `${warner}-0`;
  for (let t = 15; t < shop.duration; t += 20) {
    shop.log(t, pod, warner, {
      level: 'warn',
      dependency: 'currency',
      err_code: 'ECONNRESET',
      attempt: 1,
      retrying: true,
      url: 'http://currency:8080/convert',
      msg: 'currency call failed: socket hang up, retrying',
    });
    shop.log(t + 3, pod, warner, {
      level: 'warn',
      duration_ms: 420,
      msg: 'slow request: GET /api/products took 420ms (threshold 500ms)',
    });
    shop.log(t + 7, pod, warner, { level: 'warn', msg: 'product cache miss for 0PUK6V6EV0' });
  }
  shop.event(
    30,
    'Normal',
    'Pulled',
    'Pod',
    shop.podsOf('frontend', 0)[0]?.name ?? 'frontend-0',
    'Container image "acme/shop:0.1.0" already present on machine',
  );

  // A low-severity alert that flaps by itself.
  const flapper = pick(['catalog', 'shipping', 'currency']);
  shop.alert('ShopHighLatencyP95', { service: flapper, severity: 'info' }, [
    { state: 'pending', from: 20, to: 45 },
    { state: 'pending', from: 90, to: 110 },
    { state: 'pending', from: 170, to: 190 },
  ]);
}
