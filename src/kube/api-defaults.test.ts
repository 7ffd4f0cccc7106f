import { withApiDefaults, SERVICE_ACCOUNT_MOUNT } from './api-defaults.js';
import type { KubeObject } from './kube-object.js';
import { asKind } from './typed-objects.js';

const container = {
  name: 'cart',
  image: 'acme/shop:0.1.0',
  ports: [{ containerPort: 8080 }],
  livenessProbe: { httpGet: { path: '/healthz', port: 8080 } },
  resources: { limits: { cpu: '500m' } },
};

describe('withApiDefaults', () => {
  it("fills a Deployment's spec and template as the API server stores them", () => {
    const d: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'cart', namespace: 'shop' },
      spec: {
        selector: { matchLabels: { app: 'cart' } },
        template: { metadata: { labels: { app: 'cart' } }, spec: { containers: [container] } },
      },
    };
    expect(withApiDefaults(d).spec).toMatchObject({
      replicas: 1,
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      template: {
        spec: {
          dnsPolicy: 'ClusterFirst',
          restartPolicy: 'Always',
          schedulerName: 'default-scheduler',
          securityContext: {},
          terminationGracePeriodSeconds: 30,
          containers: [
            {
              imagePullPolicy: 'IfNotPresent',
              terminationMessagePath: '/dev/termination-log',
              terminationMessagePolicy: 'File',
              ports: [{ containerPort: 8080, protocol: 'TCP' }],
              livenessProbe: {
                timeoutSeconds: 1,
                periodSeconds: 10,
                successThreshold: 1,
                failureThreshold: 3,
                httpGet: { scheme: 'HTTP' },
              },
            },
          ],
        },
      },
    });
    // A template gets no admission fields: those are a pod's.
    expect(JSON.stringify(withApiDefaults(d))).not.toContain('kube-api-access');
    expect(d.spec).not.toHaveProperty('replicas');
  });

  it('gives a Pod its service account token volume, tolerations and priority, the same name every time', () => {
    const pod: KubeObject = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'cart-7d9f8c6b45-x2x4q', namespace: 'shop', uid: 'u-1' },
      spec: { containers: [{ ...container, image: 'acme/shop' }] },
    };
    const a = withApiDefaults(pod);
    const spec = asKind(a, 'Pod')?.spec;
    const volume = spec?.volumes?.[0].name;
    expect(volume).toMatch(/^kube-api-access-[a-z2-9]{5}$/);
    expect(spec?.containers[0]).toMatchObject({
      imagePullPolicy: 'Always',
      volumeMounts: [{ name: volume, mountPath: SERVICE_ACCOUNT_MOUNT, readOnly: true }],
      resources: { limits: { cpu: '500m' }, requests: { cpu: '500m' } },
    });
    expect(a.spec).toMatchObject({
      serviceAccountName: 'default',
      enableServiceLinks: true,
      priority: 0,
      preemptionPolicy: 'PreemptLowerPriority',
    });
    expect(spec?.tolerations).toHaveLength(2);
    expect(withApiDefaults(a)).toEqual(a);
    expect(withApiDefaults(pod)).toEqual(a);
  });

  it("keeps what is set, and fills a Service's address families and ports", () => {
    const svc: KubeObject = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'cart', namespace: 'shop' },
      spec: {
        clusterIP: '10.96.4.7',
        selector: { app: 'cart' },
        ports: [{ name: 'http', port: 8080 }],
        sessionAffinity: 'ClientIP',
      },
    };
    expect(withApiDefaults(svc).spec).toEqual({
      type: 'ClusterIP',
      clusterIP: '10.96.4.7',
      clusterIPs: ['10.96.4.7'],
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
      internalTrafficPolicy: 'Cluster',
      selector: { app: 'cart' },
      sessionAffinity: 'ClientIP',
      ports: [{ name: 'http', port: 8080, protocol: 'TCP', targetPort: 8080 }],
    });
  });
});
