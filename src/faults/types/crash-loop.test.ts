import {
  contextFor,
  firstContainer,
  loadShopObjects,
  paramProblems,
  shopTarget,
  withoutServerFields,
  type ShopObjects,
} from '../../../tests/fixtures/faults/fault-kit.js';
import {
  itRefusesMissingContainer,
  itRefusesMissingTarget,
  itRestoresAfterLostReply,
} from '../../../tests/fixtures/faults/rollout-contract.js';
import { crashLoop } from './crash-loop.js';
import { substratesProviding } from '../../substrates/registry.js';

describe('crash-loop', () => {
  let shop: ShopObjects;
  beforeAll(async () => {
    shop = await loadShopObjects();
  });

  it('targets Deployments on every substrate', () => {
    expect(crashLoop.targetKinds).toEqual(['Deployment']);
    expect(substratesProviding(crashLoop.needs)).toEqual(['local', 'kind', 'kubeconfig']);
  });

  it('needs no params: the first container and a service name the image does not know', () => {
    expect(crashLoop.params.parse({})).toEqual({});
    expect(crashLoop.params.parse({ container: 'payment', args: ['--bogus'] })).toEqual({
      container: 'payment',
      args: ['--bogus'],
    });
  });

  it.each([
    [{ args: 'payment-v2' }, 'args: Invalid input: expected array, received string'],
    [{ args: [1] }, 'args.0: Invalid input: expected string, received number'],
    [{ image: 'x' }, '(params): Unrecognized key: "image"'],
  ])('refuses params %j naming the problem', (params, problem) => {
    expect(paramProblems(crashLoop, params)).toEqual([problem]);
  });

  it('names the Deployment as the root cause and expects the crash-looping alert', () => {
    const ref = { namespace: 'shop', kind: 'Deployment', name: 'payment' };
    expect(crashLoop.groundTruth(ref, {})).toEqual(['shop/Deployment/payment']);
    expect(crashLoop.expectedAlerts(ref, {})).toEqual(['KubePodCrashLooping']);
  });

  it('rolls out the Deployment with only the container arguments changed, and undo restores the manifest', async () => {
    const target = shopTarget(shop);
    const undo = await crashLoop.inject(contextFor(crashLoop, target, 'shop/Deployment/payment'));

    const expected = shop.get('shop/Deployment/payment');
    firstContainer(expected).args = ['payment-v2'];
    // Exactly the manifest plus the change: no resourceVersion, uid, managedFields or status sent back.
    expect(await target.objects.get('Deployment', 'shop', 'payment')).toStrictEqual(expected);
    expect(target.objects.calls).toEqual(['apply shop/Deployment/payment']);
    expect(undo.description).toBe('restore Deployment shop/Deployment/payment');

    await undo.undo();
    expect(target.objects.calls).toEqual(['apply shop/Deployment/payment', 'apply shop/Deployment/payment']);
    expect(withoutServerFields(await target.objects.get('Deployment', 'shop', 'payment'))).toStrictEqual(
      shop.get('shop/Deployment/payment'),
    );
    expect(target.flags.calls).toEqual([]);
  });

  it('uses the given arguments and container', async () => {
    const target = shopTarget(shop);
    await crashLoop.inject(
      contextFor(crashLoop, target, 'shop/Deployment/redis', { container: 'redis', args: ['--port', 'x'] }),
    );
    const expected = shop.get('shop/Deployment/redis');
    firstContainer(expected).args = ['--port', 'x'];
    expect(await target.objects.get('Deployment', 'shop', 'redis')).toStrictEqual(expected);
  });

  itRefusesMissingContainer(crashLoop, () => shop, 'shop/Deployment/payment', 'sidecar', ['payment'], {
    title: 'refuses a container the Deployment does not have instead of breaking another one',
  });

  itRefusesMissingTarget(crashLoop, () => shop, 'shop/Deployment/payments');

  itRestoresAfterLostReply(crashLoop, () => shop, 'shop/Deployment/payment', {
    title: 'puts the manifest back when the rollout call failed (the server may have taken it)',
  });
});
