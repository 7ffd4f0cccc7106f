import { validateSetting } from '../../../apps/shop/src/runtime/settings.js';
import {
  contextFor,
  loadShopObjects,
  paramProblems,
  shopTarget,
  type ShopObjects,
} from '../../../tests/fixtures/faults/fault-kit.js';
import { itRefusesMissingTarget } from '../../../tests/fixtures/faults/rollout-contract.js';
import { InvalidInputError } from '../../errors/invalid-input-error.js';
import { substratesProviding } from '../../substrates/registry.js';
import { queueConsumerStall } from './queue-consumer-stall.js';

const FULFILLMENT = { namespace: 'shop', kind: 'Deployment', name: 'fulfillment' };

describe('queue-consumer-stall', () => {
  let shop: ShopObjects;
  beforeAll(async () => {
    shop = await loadShopObjects();
  });

  it('targets Deployments on every substrate and takes no params', () => {
    expect(queueConsumerStall.targetKinds).toEqual(['Deployment']);
    expect(substratesProviding(queueConsumerStall.needs)).toEqual(['local', 'kind', 'kubeconfig']);
    expect(queueConsumerStall.params.parse({})).toEqual({});
    expect(paramProblems(queueConsumerStall, { maxInFlight: 1 })).toEqual([
      '(params): Unrecognized key: "maxInFlight"',
    ]);
  });

  it('names the consumer as the root cause and expects its backlog to age', () => {
    expect(queueConsumerStall.groundTruth(FULFILLMENT, {})).toEqual(['shop/Deployment/fulfillment']);
    expect(queueConsumerStall.expectedAlerts(FULFILLMENT, {})).toEqual(['ShopQueueBacklogAging']);
  });

  it('sets <service>.consumer to an in-flight limit of 0; undo clears it, leaving the pods alone', async () => {
    const target = shopTarget(shop);
    const undo = await queueConsumerStall.inject(
      contextFor(queueConsumerStall, target, 'shop/Deployment/fulfillment', {}),
    );
    expect(target.flags.calls).toEqual(['set fulfillment.consumer {"maxInFlight":0}']);
    expect(validateSetting('consumer', target.flags.values.get('fulfillment.consumer'))).toEqual({
      ok: true,
      value: { maxInFlight: 0 },
    });
    expect(undo.description).toBe('clear setting fulfillment.consumer');
    await undo.undo();
    expect(target.flags.calls).toEqual([
      'set fulfillment.consumer {"maxInFlight":0}',
      'remove fulfillment.consumer',
    ]);
    expect(target.objects.calls).toEqual([]);
  });

  it('refuses a service that consumes no queue, setting nothing', async () => {
    const target = shopTarget(shop);
    const err = await queueConsumerStall
      .inject(contextFor(queueConsumerStall, target, 'shop/Deployment/checkout', {}))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidInputError);
    expect((err as Error).message).toMatch(
      /runs shop service checkout, which does not read setting consumer; queue-consumer-stall applies to accounting, fulfillment$/,
    );
    expect(target.flags.calls).toEqual([]);
  });

  itRefusesMissingTarget(queueConsumerStall, () => shop, 'default/Deployment/fulfillment', {
    untouched: 'flags',
  });
});
