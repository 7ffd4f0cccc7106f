import { containersOf } from './containers.js';
import type { PodSpec } from './kube-object.js';
import { envFromRefsOf, envKeyRefsOf, volumeRefsOf } from './pod-references.js';

const spec: PodSpec = {
  containers: [
    {
      name: 'app',
      env: [
        { name: 'PLAIN', value: 'x' },
        { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'redis-auth', key: 'password' } } },
        { name: 'MODE', valueFrom: { configMapKeyRef: { name: 'app-config', key: 'mode' } } },
        { name: 'UNNAMED', valueFrom: { configMapKeyRef: { key: 'mode' } } },
      ],
      envFrom: [{ secretRef: { name: 'tokens' } }, { configMapRef: { name: 'defaults' } }],
    },
    { name: 'sidecar' },
  ],
  volumes: [
    { name: 'config', configMap: { name: 'app-config' } },
    { name: 'creds', secret: { secretName: 'redis-auth' } },
    { name: 'data', persistentVolumeClaim: { claimName: 'app-data' } },
    { name: 'scratch', emptyDir: {} },
  ],
};

describe('pod references', () => {
  it('lists what the volumes mount, in volume order', () => {
    expect(volumeRefsOf(spec)).toEqual([
      { kind: 'ConfigMap', name: 'app-config' },
      { kind: 'Secret', name: 'redis-auth' },
      { kind: 'PersistentVolumeClaim', name: 'app-data' },
    ]);
    expect(volumeRefsOf(undefined)).toEqual([]);
  });

  it('lists the keys env reads and what envFrom takes whole; a reference without a name names nothing', () => {
    const [app] = containersOf(spec);
    expect(app && envKeyRefsOf(app)).toEqual([
      { kind: 'Secret', name: 'redis-auth', key: 'password' },
      { kind: 'ConfigMap', name: 'app-config', key: 'mode' },
    ]);
    expect(app && envFromRefsOf(app)).toEqual([
      { kind: 'Secret', name: 'tokens' },
      { kind: 'ConfigMap', name: 'defaults' },
    ]);
  });
});
