import type { KubeObject } from '../kube/kube-object.js';
import { sanitizeObject } from './sanitize-object.js';

const obj = (kind: string, generation: number): KubeObject => ({
  apiVersion: kind === 'Deployment' ? 'apps/v1' : 'v1',
  kind,
  metadata: { name: 'cart', namespace: 'shop', generation, resourceVersion: '1000123' },
  ...(kind === 'ConfigMap' ? { data: { a: 'b' } } : { spec: {} }),
});

describe('sanitizeObject', () => {
  it('keeps the generation of the kinds a cluster counts spec changes of, and no resourceVersion', () => {
    expect(sanitizeObject(obj('Deployment', 3)).metadata).toMatchObject({ generation: 3 });
    expect(sanitizeObject(obj('Deployment', 3)).metadata).not.toHaveProperty('resourceVersion');
    // A substrate's store may number a ConfigMap or a Service; the API server never shows one there.
    expect(sanitizeObject(obj('ConfigMap', 2)).metadata).not.toHaveProperty('generation');
    expect(sanitizeObject(obj('Service', 1)).metadata).not.toHaveProperty('generation');
  });
});
