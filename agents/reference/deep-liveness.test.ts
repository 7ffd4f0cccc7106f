import { dependencyRestarts } from './deep-liveness.js';
import { EntityIndex } from './entity-index.js';
import { podLifecycles } from './pod-lifecycle.js';
import type { Snapshot } from './read-snapshot.js';
import type { Symptom } from './evidence.js';
import { analyzeSnapshot } from './run-agent.js';
import { F } from './testing/fault-cases.js';
import { SyntheticShop } from './testing/synthetic-shop.js';

const NOT_READY = 'Liveness probe failed: HTTP probe failed with statuscode: 503';
const TIMED_OUT =
  'Liveness probe failed: Get "http://10.0.0.9:8080/readyz": context deadline exceeded (Client.Timeout exceeded while awaiting headers)';

/** Shipping scaled to zero; checkout unready for it; the storefront restarted by its liveness probe. */
function stage(opts: { livenessPath: string; message?: string }): SyntheticShop {
  const shop = new SyntheticShop();
  const probe = shop.template('frontend').spec?.containers?.[0].livenessProbe;
  if (probe?.httpGet) probe.httpGet.path = opts.livenessPath;
  shop.scale('shipping', F, 0);
  shop.takeDown('shipping', F + 1);
  for (const p of shop.podsOf('checkout')) {
    shop.event(
      F + 5,
      'Warning',
      'Unhealthy',
      'Pod',
      p.name,
      'Readiness probe failed: HTTP probe failed with statuscode: 503',
      12,
      F + 120,
    );
    shop.podState(p.name, F + 10, { ready: false });
  }
  shop.takeDown('checkout', F + 10);
  for (const p of shop.podsOf('frontend')) {
    shop.event(F + 15, 'Warning', 'Unhealthy', 'Pod', p.name, opts.message ?? NOT_READY, 9, F + 110);
    shop.event(
      F + 40,
      'Normal',
      'Killing',
      'Pod',
      p.name,
      'Container frontend failed liveness probe, will be restarted',
      3,
      F + 110,
    );
    shop.event(
      F + 60,
      'Warning',
      'BackOff',
      'Pod',
      p.name,
      `Back-off restarting failed container frontend in pod ${p.name}_shop`,
      3,
      F + 110,
    );
    shop.podState(p.name, F + 40, { restartsPerMinute: 2, waiting: 'CrashLoopBackOff' });
    shop.alert('KubePodCrashLooping', { pod: p.name, container: 'frontend' }, [
      { state: 'pending', from: F + 60, to: F + 90 },
      { state: 'firing', from: F + 90, to: null },
    ]);
  }
  return shop;
}

/** The rule on a built snapshot, with the pod lifecycles the agent reads beside it. */
function restarts(symptoms: Symptom[], snap: Snapshot): Symptom[] {
  const index = new EntityIndex(snap);
  return dependencyRestarts(symptoms, index, podLifecycles(snap, index));
}

const crash = (workload: string): Symptom => ({
  signal: 'alerts',
  workload,
  kind: 'crash',
  weight: 0.75,
  at: F + 90,
  detail: 'KubePodCrashLooping',
});

describe('dependencyRestarts', () => {
  it('reads the crash evidence of a workload whose liveness probe asks its readiness check, answered 503, as not-ready', () => {
    const snap = stage({ livenessPath: '/readyz' }).build();
    const out = restarts([crash('shop/Deployment/frontend'), crash('shop/Deployment/cart')], snap);
    expect(out[0]).toMatchObject({
      kind: 'not-ready',
      detail: expect.stringContaining('asks /readyz') as string,
    });
    expect(out[1]).toEqual(crash('shop/Deployment/cart'));
  });

  it('leaves the restarts alone when the liveness probe asks something else, or did not answer', () => {
    for (const snap of [
      stage({ livenessPath: '/healthz' }).build(),
      stage({
        livenessPath: '/readyz',
        message: TIMED_OUT,
      }).build(),
    ]) {
      const out = restarts([crash('shop/Deployment/frontend')], snap);
      expect(out[0].kind).toBe('crash');
    }
  });

  it('reads it as not-ready still when one pod was restarted earlier by a probe that timed out', () => {
    const shop = stage({ livenessPath: '/readyz' });
    const first = shop.podsOf('frontend')[0].name;
    shop.event(F - 60, 'Warning', 'Unhealthy', 'Pod', first, TIMED_OUT, 3, F - 40);
    const out = restarts([crash('shop/Deployment/frontend')], shop.build());
    expect(out[0].kind).toBe('not-ready');
  });

  it('leaves the restarts alone when answers are no more than the failures without one', () => {
    // as many pods timed out (each an event of its own) as answered 503: a tie
    const tie = stage({ livenessPath: '/readyz' });
    for (const p of tie.podsOf('frontend'))
      tie.event(F + 2, 'Warning', 'Unhealthy', 'Pod', p.name, TIMED_OUT, 1, F + 2);
    expect(restarts([crash('shop/Deployment/frontend')], tie.build())[0].kind).toBe('crash');
    // and more of them: the other kinds of failure a pod also had
    const more = stage({ livenessPath: '/readyz' });
    for (const p of more.podsOf('frontend')) {
      more.event(F + 2, 'Warning', 'Unhealthy', 'Pod', p.name, TIMED_OUT, 1, F + 2);
      more.event(
        F + 3,
        'Warning',
        'Unhealthy',
        'Pod',
        p.name,
        'Liveness probe failed: Get "http://10.0.0.9:8080/readyz": dial tcp 10.0.0.9:8080: connect: connection refused',
        1,
        F + 3,
      );
    }
    expect(restarts([crash('shop/Deployment/frontend')], more.build())[0].kind).toBe('crash');
  });

  it('ranks what the storefront depends on above the storefront its probe keeps restarting', () => {
    const rankOf = (path: string) => {
      const { answer } = analyzeSnapshot(stage({ livenessPath: path }).build());
      return (e: string) => answer.entities.indexOf(`shop/Deployment/${e}`);
    };
    // Restarted by a probe of its own (/healthz answering 503), the storefront is the first suspect.
    expect(rankOf('/healthz')('frontend')).toBe(0);
    const deep = rankOf('/readyz');
    expect(deep('shipping')).toBeGreaterThanOrEqual(0);
    const frontend = deep('frontend');
    expect(frontend === -1 || frontend > deep('shipping')).toBe(true);
  });
});
