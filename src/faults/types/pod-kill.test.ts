import { MemoryObjects } from '../testing/fake-target.js';
import {
  contextFor,
  loadShopObjects,
  paramProblems,
  shopTarget,
  withoutServerFields,
  type ShopObjects,
} from '../../../tests/fixtures/faults/fault-kit.js';
import { itRefusesMissingTarget } from '../../../tests/fixtures/faults/rollout-contract.js';
import { podKill } from './pod-kill.js';
import { substratesProviding } from '../../substrates/registry.js';

const deploy = (name: string) => ({ namespace: 'shop', kind: 'Deployment', name });
const PAYMENT_PODS = ['payment-6b7c9d8f4-7rtzw', 'payment-6b7c9d8f4-bq4lm', 'payment-6b7c9d8f4-x2k9p'];

/** Resolves once `done()` holds, checking after each turn of the event loop (the test timeout bounds it). */
async function until(done: () => boolean): Promise<void> {
  while (!done()) await new Promise((r) => setTimeout(r, 1));
}

describe('pod-kill', () => {
  let shop: ShopObjects;
  beforeAll(async () => {
    shop = await loadShopObjects();
  });

  it('targets Deployments on every substrate', () => {
    expect(podKill.targetKinds).toEqual(['Deployment']);
    expect(substratesProviding(podKill.needs)).toEqual(['local', 'kind', 'kubeconfig']);
  });

  it('by default deletes one pod, once', () => {
    expect(podKill.params.parse({})).toEqual({ count: 1, everyMs: 0 });
    expect(podKill.params.parse({ count: 'all', everyMs: 15_000 })).toEqual({
      count: 'all',
      everyMs: 15_000,
    });
  });

  it.each([
    [{ count: 0 }, /^count: /],
    [{ count: 'some' }, /^count: /],
    [{ count: 1.5 }, /^count: /],
    [{ everyMs: -1 }, /^everyMs: Too small: expected number to be >=0$/],
    [{ every: 5 }, /^\(params\): Unrecognized key: "every"$/],
  ])('refuses params %j naming the problem', (params, problem) => {
    const problems = paramProblems(podKill, params);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(problem);
  });

  it('names the Deployment (not its short-lived pods) as the root cause', () => {
    expect(podKill.groundTruth(deploy('payment'), { count: 1, everyMs: 0 })).toEqual([
      'shop/Deployment/payment',
    ]);
  });

  it.each([
    ['payment', 'ShopDependencyErrors'],
    ['redis', 'ShopRedisCommandErrors'],
    ['frontend', 'ShopFrontendTrafficDrop'],
  ])('expects for %s: %s', (name, alert) => {
    expect(podKill.expectedAlerts(deploy(name), { count: 1, everyMs: 0 })).toEqual([alert]);
  });

  it('deletes the first pod by name that the Deployment selects, and nothing else', async () => {
    const target = shopTarget(shop);
    const undo = await podKill.inject(contextFor(podKill, target, 'shop/Deployment/payment'));
    expect(target.objects.calls).toEqual([`delete shop/Pod/${PAYMENT_PODS[0]}`]);
    expect(undo.description).toBe('stop deleting pods of shop/Deployment/payment');

    // Nothing to put back: the Deployment replaces its pods, and the Deployment itself is untouched.
    await undo.undo();
    expect(target.objects.calls).toEqual([`delete shop/Pod/${PAYMENT_PODS[0]}`]);
    expect(withoutServerFields(await target.objects.get('Deployment', 'shop', 'payment'))).toStrictEqual(
      shop.get('shop/Deployment/payment'),
    );
  });

  it('with count "all" deletes every selected pod: not a terminating one, another namespace or other labels', async () => {
    const target = shopTarget(shop);
    await podKill.inject(contextFor(podKill, target, 'shop/Deployment/payment', { count: 'all' }));
    expect(target.objects.calls).toEqual(PAYMENT_PODS.map((p) => `delete shop/Pod/${p}`));
    const left = (await target.objects.list('Pod'))
      .map((p) => `${p.metadata.namespace}/${p.metadata.name}`)
      .sort();
    expect(left).toEqual([
      'shop/cart-5f6d7c8b9-h8j2k',
      'shop/payment-5c8d7e6f5-aaaaa',
      'shop/payment-debug',
      'staging/payment-6b7c9d8f4-zzzzz',
    ]);
  });

  it('with a count deletes that many, in name order', async () => {
    const target = shopTarget(shop);
    await podKill.inject(contextFor(podKill, target, 'shop/Deployment/payment', { count: 2 }));
    expect(target.objects.calls).toEqual(PAYMENT_PODS.slice(0, 2).map((p) => `delete shop/Pod/${p}`));
  });

  it('repeats the deletion every everyMs until undone, and deletes nothing after undo returns', async () => {
    const target = shopTarget(shop);
    const undo = await podKill.inject(contextFor(podKill, target, 'shop/Deployment/payment', { everyMs: 1 }));
    await until(() => target.objects.calls.length === 3);
    expect(target.objects.calls).toEqual(PAYMENT_PODS.map((p) => `delete shop/Pod/${p}`));

    await undo.undo();
    const pod = shop.get(`shop/Pod/${PAYMENT_PODS[0]}`);
    await target.objects.apply(pod);
    await new Promise((r) => setTimeout(r, 20));
    expect(await target.objects.get('Pod', 'shop', PAYMENT_PODS[0])).toBeDefined();
    expect(target.objects.calls.filter((c) => c.startsWith('delete'))).toHaveLength(3);
  });

  it('stops repeating when the run is interrupted', async () => {
    const target = shopTarget(shop);
    const run = new AbortController();
    const undo = await podKill.inject(
      contextFor(podKill, target, 'shop/Deployment/payment', { everyMs: 60_000 }, run.signal),
    );
    run.abort();
    // Resolves although the next round would be a minute away: the loop ended with the signal.
    await undo.undo();
    expect(target.objects.calls).toEqual([`delete shop/Pod/${PAYMENT_PODS[0]}`]);
  });

  it('keeps repeating after a failed round', async () => {
    class FlakyDeletes extends MemoryObjects {
      private n = 0;
      override async delete(kind: string, namespace: string | undefined, name: string): Promise<boolean> {
        if (++this.n === 2) throw new Error('etcdserver: request timed out');
        return super.delete(kind, namespace, name);
      }
    }
    const objects = new FlakyDeletes();
    const target = shopTarget(shop, objects);
    const undo = await podKill.inject(contextFor(podKill, target, 'shop/Deployment/payment', { everyMs: 1 }));
    await until(() => objects.calls.length === 3);
    await undo.undo();
    expect(objects.calls).toEqual(PAYMENT_PODS.map((p) => `delete shop/Pod/${p}`));
  });

  itRefusesMissingTarget(podKill, () => shop, 'shop/Deployment/paymnt', {
    title: 'refuses a target that does not exist',
  });
});
