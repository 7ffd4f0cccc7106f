import type { KubeObject } from './kube-object.js';
import { asDeployment, asKind, isKindIn, ofKind } from './typed-objects.js';

const obj = (kind: string, name: string, spec?: Record<string, unknown>): KubeObject => ({
  apiVersion: 'v1',
  kind,
  metadata: { name, namespace: 'shop' },
  ...(spec ? { spec } : {}),
});

describe('typed views', () => {
  it('narrow an object of the kind and refuse any other', () => {
    const d = obj('Deployment', 'cart', { replicas: 2 });
    expect(asDeployment(d)?.spec?.replicas).toBe(2);
    expect(asDeployment(obj('StatefulSet', 'cart', { replicas: 2 }))).toBeUndefined();
    expect(asKind(undefined, 'Service')).toBeUndefined();
    expect(isKindIn(d, ['ReplicaSet', 'Deployment'])).toBe(true);
    expect(isKindIn(d, ['Pod'])).toBe(false);
  });

  it('pick the objects of one kind out of a mixed list, the same objects in order', () => {
    const a = obj('Service', 'a');
    const b = obj('Service', 'b');
    const mixed = [a, obj('Pod', 'p'), b];
    const services = ofKind(mixed, 'Service');
    expect(services).toEqual([a, b]);
    expect(services[0]).toBe(a);
  });
});
