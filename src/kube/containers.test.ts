import { allContainersOf, containersOf, namedPort } from './containers.js';
import type { PodSpec } from './kube-object.js';

const spec: PodSpec = {
  initContainers: [{ name: 'migrate', ports: [{ name: 'http', containerPort: 9000 }] }],
  containers: [
    { name: 'app', ports: [{ name: 'metrics', containerPort: 9464 }] },
    { name: 'sidecar', ports: [{ name: 'http', containerPort: 8080 }] },
  ],
};

describe('containers', () => {
  it('lists init containers first, then app containers', () => {
    expect(allContainersOf(spec).map((c) => c.name)).toEqual(['migrate', 'app', 'sidecar']);
    expect(containersOf(spec).map((c) => c.name)).toEqual(['app', 'sidecar']);
    expect(containersOf(undefined)).toEqual([]);
  });

  it('resolves a named port in container order', () => {
    expect(namedPort(containersOf(spec), 'http')).toBe(8080);
    expect(namedPort(allContainersOf(spec), 'http')).toBe(9000);
    expect(namedPort(containersOf(spec), 'grpc')).toBeUndefined();
  });
});
