import { InvalidInputError } from '../../errors/invalid-input-error.js';
import {
  contextFor,
  injectError,
  loadShopObjects,
  paramProblems,
  shopTarget,
  withoutServerFields,
  type ShopObjects,
} from '../../../tests/fixtures/faults/fault-kit.js';
import { MemoryObjects } from '../testing/fake-target.js';
import { secretDeleted } from './secret-deleted.js';
import { substratesProviding } from '../../substrates/registry.js';

const secret = (name: string) => ({ namespace: 'shop', kind: 'Secret', name });
// The Deployments of the shop's manifests that read redis-auth (Redis itself left out), in name order.
const REDIS_AUTH_READERS = ['accounting', 'cart', 'checkout', 'fulfillment'];
// The only reader pod the fixtures run (tests/fixtures/faults/live/pods.yaml).
const CART_POD = 'cart-5f6d7c8b9-h8j2k';

describe('secret-deleted', () => {
  let shop: ShopObjects;
  beforeAll(async () => {
    shop = await loadShopObjects();
  });

  it('targets Secrets on Kubernetes only', () => {
    expect(secretDeleted.targetKinds).toEqual(['Secret']);
    expect(substratesProviding(secretDeleted.needs)).toEqual(['kind', 'kubeconfig']);
  });

  it('restarts every reader unless told which', () => {
    expect(secretDeleted.params.parse({})).toEqual({});
    expect(secretDeleted.params.parse({ restart: ['cart'] })).toEqual({ restart: ['cart'] });
  });

  it.each([
    [{ restart: [] }, 'restart: Too small: expected array to have >=1 items'],
    [{ restart: ['Cart'] }, 'restart.0: must be a Deployment name, e.g. cart'],
    [{ restart: 'cart' }, 'restart: Invalid input: expected array, received string'],
    [{ key: 'password' }, '(params): Unrecognized key: "key"'],
  ])('refuses params %j naming the problem', (params, problem) => {
    expect(paramProblems(secretDeleted, params)).toEqual([problem]);
  });

  it('names the Secret (not the workloads that cannot start) as the root cause', () => {
    expect(secretDeleted.groundTruth(secret('redis-auth'), {})).toEqual(['shop/Secret/redis-auth']);
    expect(secretDeleted.expectedAlerts(secret('redis-auth'), {})).toEqual(['KubeContainerWaiting']);
  });

  it("deletes the Secret and replaces the readers' pods, never Redis'; undo recreates the Secret", async () => {
    const target = shopTarget(shop);
    const undo = await secretDeleted.inject(contextFor(secretDeleted, target, 'shop/Secret/redis-auth'));
    expect(target.objects.calls).toEqual(['delete shop/Secret/redis-auth', `delete shop/Pod/${CART_POD}`]);
    expect(await target.objects.get('Secret', 'shop', 'redis-auth')).toBeUndefined();
    expect(undo.description).toBe('recreate Secret shop/Secret/redis-auth');

    await undo.undo();
    expect(target.objects.calls.slice(2)).toEqual(['apply shop/Secret/redis-auth']);
    expect(withoutServerFields(await target.objects.get('Secret', 'shop', 'redis-auth'))).toStrictEqual(
      shop.get('shop/Secret/redis-auth'),
    );
  });

  it('replaces only the pods of the Deployments named in restart', async () => {
    const target = shopTarget(shop);
    await secretDeleted.inject(
      contextFor(secretDeleted, target, 'shop/Secret/redis-auth', { restart: ['checkout'] }),
    );
    expect(target.objects.calls).toEqual(['delete shop/Secret/redis-auth']);
  });

  it('refuses a restart that names a Deployment not reading the Secret, changing nothing', async () => {
    const target = shopTarget(shop);
    const err = await injectError(
      secretDeleted,
      contextFor(secretDeleted, target, 'shop/Secret/redis-auth', { restart: ['cart', 'payment'] }),
    );
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err.message).toBe(
      `restart names payment, which does not read Secret shop/Secret/redis-auth (its readers: ${REDIS_AUTH_READERS.join(', ')})`,
    );
    expect(target.objects.calls).toEqual([]);
  });

  it('refuses a Secret that only data stores read, changing nothing', async () => {
    const target = shopTarget(shop);
    const only = shop.get('shop/Secret/redis-auth');
    only.metadata.name = 'unread';
    target.objects.objects.set('shop/Secret/unread', only);
    const err = await injectError(secretDeleted, contextFor(secretDeleted, target, 'shop/Secret/unread'));
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err.message).toBe(
      'no Deployment in namespace shop reads Secret shop/Secret/unread (data stores are never restarted), so deleting it would break nothing',
    );
    expect(target.objects.calls).toEqual([]);
  });

  it('refuses a Secret that does not exist', async () => {
    const err = await injectError(
      secretDeleted,
      contextFor(secretDeleted, shopTarget(shop), 'shop/Secret/redis-password'),
    );
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err.message).toBe('fault target shop/Secret/redis-password does not exist');
  });

  it("recreates the Secret when replacing a reader's pods failed", async () => {
    const error = new Error('the server is currently unable to handle the request');
    class PodDeleteFails extends MemoryObjects {
      override async delete(kind: string, namespace: string | undefined, name: string): Promise<boolean> {
        if (kind === 'Pod') {
          this.calls.push(`delete ${namespace ?? ''}/${kind}/${name} (failed)`);
          throw error;
        }
        return super.delete(kind, namespace, name);
      }
    }
    const objects = new PodDeleteFails();
    const target = shopTarget(shop, objects);
    const err = await injectError(secretDeleted, contextFor(secretDeleted, target, 'shop/Secret/redis-auth'));
    expect(err).toBe(error);
    expect(objects.calls).toEqual([
      'delete shop/Secret/redis-auth',
      `delete shop/Pod/${CART_POD} (failed)`,
      'apply shop/Secret/redis-auth',
    ]);
    expect(withoutServerFields(await objects.get('Secret', 'shop', 'redis-auth'))).toStrictEqual(
      shop.get('shop/Secret/redis-auth'),
    );
  });
});
