import { InvalidInputError } from '../../errors/invalid-input-error.js';
import {
  contextFor,
  firstContainer,
  injectError,
  loadShopObjects,
  paramProblems,
  shopTarget,
  withoutServerFields,
  type ShopObjects,
} from '../../../tests/fixtures/faults/fault-kit.js';
import {
  itAppliesOverApiServer,
  itRefusesMissingContainer,
  itRefusesMissingTarget,
  itRestoresAfterLostReply,
} from '../../../tests/fixtures/faults/rollout-contract.js';
import { imageNotFound, nextImageTag } from './image-not-found.js';
import { substratesProviding } from '../../substrates/registry.js';

const deploy = (name: string) => ({ namespace: 'shop', kind: 'Deployment', name });
const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;

describe('image-not-found', () => {
  let shop: ShopObjects;
  beforeAll(async () => {
    shop = await loadShopObjects();
  });

  it('targets Deployments on Kubernetes only', () => {
    expect(imageNotFound.targetKinds).toEqual(['Deployment']);
    expect(substratesProviding(imageNotFound.needs)).toEqual(['kind', 'kubeconfig']);
  });

  it('takes an optional container and image', () => {
    expect(imageNotFound.params.parse({})).toEqual({});
    for (const image of [
      'acme/shop:0.1.1',
      'redis:7.0.99',
      'registry.example.com:5000/acme/shop:v0.2.0-rc_1',
      `acme/shop@${DIGEST}`,
      'ghcr.io/acme/shop',
    ]) {
      expect(imageNotFound.params.parse({ container: 'cart', image })).toEqual({ container: 'cart', image });
    }
  });

  it.each([
    [{ image: 'Acme/shop:0.1.1' }, 'image: must be an image reference like acme/shop:0.1.1'],
    [{ image: 'acme/shop:' }, 'image: must be an image reference like acme/shop:0.1.1'],
    [{ image: 'acme/shop:0.1.1 ' }, 'image: must be an image reference like acme/shop:0.1.1'],
    [{ image: 'acme//shop:0.1.1' }, 'image: must be an image reference like acme/shop:0.1.1'],
    [{ image: 'acme/shop@sha256:abc' }, 'image: must be an image reference like acme/shop:0.1.1'],
    [{ image: 11 }, 'image: Invalid input: expected string, received number'],
    [{ tag: '0.1.1' }, '(params): Unrecognized key: "tag"'],
  ])('refuses params %j naming the problem', (params, problem) => {
    expect(paramProblems(imageNotFound, params)).toEqual([problem]);
  });

  it.each([
    ['acme/shop:0.1.0', 'acme/shop:0.1.1'],
    ['acme/shop:0.1.9', 'acme/shop:0.1.10'],
    ['registry.example.com:5000/acme/shop:0.1.0', 'registry.example.com:5000/acme/shop:0.1.1'],
    ['redis:7.0.15', 'redis:7.0.16'],
    ['acme/shop:build-0099', 'acme/shop:build-0100'],
    ['acme/shop:v3', 'acme/shop:v4'],
  ])('names the release after %s: %s', (image, next) => {
    expect(nextImageTag(image)).toBe(next);
  });

  it.each([
    ['acme/shop'],
    ['registry.example.com:5000/acme/shop'],
    ['acme/shop:latest'],
    [`acme/shop@${DIGEST}`],
  ])('has no next release for %s', (image) => {
    expect(nextImageTag(image)).toBeUndefined();
  });

  it('names the Deployment as the root cause and expects a waiting container', () => {
    expect(imageNotFound.groundTruth(deploy('checkout'), {})).toEqual(['shop/Deployment/checkout']);
    expect(imageNotFound.expectedAlerts(deploy('checkout'), {})).toEqual(['KubeContainerWaiting']);
  });

  it('rolls out the next tag of the current image by default, and undo restores the manifest', async () => {
    const target = shopTarget(shop);
    const undo = await imageNotFound.inject(contextFor(imageNotFound, target, 'shop/Deployment/checkout'));
    const expected = shop.get('shop/Deployment/checkout');
    expect(firstContainer(expected).image).toBe('acme/shop:0.1.0');
    firstContainer(expected).image = 'acme/shop:0.1.1';
    expect(await target.objects.get('Deployment', 'shop', 'checkout')).toStrictEqual(expected);
    expect(target.objects.calls).toEqual(['apply shop/Deployment/checkout']);

    await undo.undo();
    expect(target.objects.calls).toEqual([
      'apply shop/Deployment/checkout',
      'apply shop/Deployment/checkout',
    ]);
    expect(withoutServerFields(await target.objects.get('Deployment', 'shop', 'checkout'))).toStrictEqual(
      shop.get('shop/Deployment/checkout'),
    );
  });

  it('rolls out the given image', async () => {
    const target = shopTarget(shop);
    await imageNotFound.inject(
      contextFor(imageNotFound, target, 'shop/Deployment/redis', {
        container: 'redis',
        image: 'redis:7.0.99',
      }),
    );
    const expected = shop.get('shop/Deployment/redis');
    firstContainer(expected).image = 'redis:7.0.99';
    expect(await target.objects.get('Deployment', 'shop', 'redis')).toStrictEqual(expected);
  });

  it('refuses the image the container already runs, writing nothing', async () => {
    const target = shopTarget(shop);
    const err = await injectError(
      imageNotFound,
      contextFor(imageNotFound, target, 'shop/Deployment/cart', { image: 'acme/shop:0.1.0' }),
    );
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err.message).toBe(
      'container cart of Deployment shop/cart already runs acme/shop:0.1.0; give an image it does not run',
    );
    expect(target.objects.calls).toEqual([]);
  });

  it('refuses to guess a tag for an image without a version tag, writing nothing', async () => {
    const target = shopTarget(shop);
    const live = await target.objects.get('Deployment', 'shop', 'cart');
    if (!live) throw new Error('no cart in the fixture');
    firstContainer(live).image = 'acme/shop:latest';
    target.objects.objects.set('shop/Deployment/cart', live);
    const err = await injectError(imageNotFound, contextFor(imageNotFound, target, 'shop/Deployment/cart'));
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err.message).toBe(
      'the image acme/shop:latest of container cart of Deployment shop/cart has no version tag to raise; give the image to roll out',
    );
    expect(target.objects.calls).toEqual([]);
  });

  itRefusesMissingContainer(imageNotFound, () => shop, 'shop/Deployment/checkout', 'migrate', ['checkout']);

  itRefusesMissingTarget(imageNotFound, () => shop, 'shop/Deployment/checkouts');

  itRestoresAfterLostReply(imageNotFound, () => shop, 'shop/Deployment/checkout');

  itAppliesOverApiServer(
    imageNotFound,
    () => shop,
    'shop/Deployment/checkout',
    (d) => {
      firstContainer(d).image = 'acme/shop:0.1.1';
    },
  );
});
