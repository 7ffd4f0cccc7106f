import { normalizeEntityId, tryParseEntityId, formatEntityId, parseEntityId } from './entity-id.js';
import { InvalidInputError } from '../errors/invalid-input-error.js';

describe('entity ids', () => {
  it.each([
    ['shop/Deployment/cart', 'shop/Deployment/cart'],
    ['shop/deploy/cart', 'shop/Deployment/cart'],
    ['shop/deployments/cart', 'shop/Deployment/cart'],
    ['  shop/DEPLOYMENT/cart  ', 'shop/Deployment/cart'],
    ['shop/po/cart-0', 'shop/Pod/cart-0'],
    ['shop/svc/cart', 'shop/Service/cart'],
    ['shop/cm/shop-config', 'shop/ConfigMap/shop-config'],
    ['no/kind-worker', 'Node/kind-worker'],
    ['Node/kind-worker', 'Node/kind-worker'],
    ['shop / netpol / deny-all', 'shop/NetworkPolicy/deny-all'],
    ['shop/hpa/frontend', 'shop/HorizontalPodAutoscaler/frontend'],
    ['pv/data.vol-1', 'PersistentVolume/data.vol-1'],
  ])('normalises %j to %s', (input, expected) => {
    expect(normalizeEntityId(input)).toBe(expected);
  });

  it.each([
    ['', 'empty'],
    ['cart', 'expected 2 or 3 segments'],
    ['a/b/c/d', 'expected 2 or 3 segments'],
    ['shop//cart', 'empty segment'],
    ['shop/Widget/cart', 'unknown kind "Widget"'],
    ['Deployment/cart', 'namespaced'],
    ['shop/Node/kind-worker', 'cluster-scoped'],
    ['shop/Deployment/Cart', 'not a valid object name'],
    ['Shop/Deployment/cart', 'not a valid namespace'],
    ['shop/Deployment/cart_1', 'not a valid object name'],
  ])('rejects %j (%s)', (input, why) => {
    const r = tryParseEntityId(input);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error).toContain(why);
      expect(r.error).toContain('namespace/Kind/name');
    }
  });

  it('throws InvalidInputError from parseEntityId', () => {
    expect(() => parseEntityId('nope')).toThrow(InvalidInputError);
  });

  it('round-trips through formatEntityId', () => {
    expect(formatEntityId(parseEntityId('shop/deploy/cart'))).toBe('shop/Deployment/cart');
    expect(formatEntityId(parseEntityId('no/n1'))).toBe('Node/n1');
  });
});
