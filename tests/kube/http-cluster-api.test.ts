import { KubeApiError } from '../../src/errors/kube-api-error.js';
import { InvalidInputError } from '../../src/errors/invalid-input-error.js';
import { HttpClusterApi } from '../../src/kube/http-cluster-api.js';
import type { KubeObject } from '../../src/kube/kube-object.js';
import { KubeConfigTransport } from '../../src/kube/kubeconfig-transport.js';
import { FakeApiServer } from './fake-api-server.js';

const pod = (name: string, labels: Record<string, string>, ns = 'shop'): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: ns, labels },
  spec: { containers: [{ name: 'c', image: 'x:1' }] },
});

const deployment: KubeObject = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: {
    name: 'cart',
    namespace: 'shop',
    labels: { 'app.kubernetes.io/name': 'cart' },
    // Server-populated fields a fault copies from a read object; none may reach the apply body.
    resourceVersion: '42',
    uid: 'abc',
    generation: 3,
    creationTimestamp: '2026-11-25T10:00:00Z',
    managedFields: [{ manager: 'kubectl' }],
  },
  spec: { replicas: 1, selector: { matchLabels: { app: 'cart' } } },
  status: { replicas: 1 },
};

describe('HttpClusterApi against an HTTP fake of the API server, through a real client-node KubeConfig', () => {
  let fake: FakeApiServer;
  let api: HttpClusterApi;

  beforeEach(async () => {
    fake = await FakeApiServer.start({
      objects: [
        pod('cart-1', { 'app.kubernetes.io/name': 'cart' }),
        pod('cart-2', { 'app.kubernetes.io/name': 'cart' }),
        pod('redis-1', { 'app.kubernetes.io/name': 'redis' }),
        pod('prometheus-1', { 'app.kubernetes.io/name': 'prometheus' }, 'observability'),
      ],
      pageSize: 2,
      logs: {
        'shop/cart-1/cart/false': '2026-11-25T12:00:01.000000001Z started\n',
        'shop/cart-1/cart/true': '2026-11-25T11:59:00.5Z crashed: out of memory\n',
      },
      failures: {
        'GET /api/v1/namespaces/shop/secrets/forbidden': {
          status: 403,
          reason: 'Forbidden',
          message: 'secrets "forbidden" is forbidden: User "tester" cannot get resource "secrets"',
        },
      },
    });
    api = new HttpClusterApi(new KubeConfigTransport(fake.kubeConfig()));
  });

  afterEach(async () => {
    await fake.close();
  });

  it('applies with server-side apply: PATCH, fieldManager=firedrill&force=true, apply-patch content type', async () => {
    const applied = await api.apply(deployment);
    expect(fake.requests).toHaveLength(1);
    const r = fake.requests[0]!;
    expect(r.method).toBe('PATCH');
    expect(r.path).toBe('/apis/apps/v1/namespaces/shop/deployments/cart');
    expect(r.query).toBe('fieldManager=firedrill&force=true');
    expect(r.headers['content-type']).toBe('application/apply-patch+yaml');
    expect(r.headers.authorization).toBe('Bearer test-token');
    expect(JSON.parse(r.body)).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'cart', namespace: 'shop', labels: { 'app.kubernetes.io/name': 'cart' } },
      spec: { replicas: 1, selector: { matchLabels: { app: 'cart' } } },
    });
    expect(applied.metadata.resourceVersion).toBeDefined();
    // The caller's object is left as it was.
    expect(deployment.metadata.resourceVersion).toBe('42');
  });

  it('puts core, namespaced and cluster-scoped kinds on their own paths', async () => {
    await api.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
    await api.apply({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cart-config', namespace: 'shop' },
      data: { a: 'b' },
    });
    await api.apply({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'firedrill-prometheus' },
    });
    expect(fake.calls()).toEqual([
      'PATCH /api/v1/namespaces/shop?fieldManager=firedrill&force=true',
      'PATCH /api/v1/namespaces/shop/configmaps/cart-config?fieldManager=firedrill&force=true',
      'PATCH /apis/rbac.authorization.k8s.io/v1/clusterroles/firedrill-prometheus?fieldManager=firedrill&force=true',
    ]);
  });

  it('gets one object by path, undefined when the server answers 404', async () => {
    const got = await api.get('Pod', 'shop', 'cart-1');
    expect(got?.metadata.name).toBe('cart-1');
    expect(await api.get('Pod', 'shop', 'nope')).toBeUndefined();
    expect(fake.calls()).toEqual([
      'GET /api/v1/namespaces/shop/pods/cart-1',
      'GET /api/v1/namespaces/shop/pods/nope',
    ]);
  });

  it('lists by label selector, follows continue tokens and restores apiVersion and kind on items', async () => {
    const pods = await api.list('Pod', 'shop', { 'app.kubernetes.io/name': 'cart' });
    expect(pods.map((p) => p.metadata.name)).toEqual(['cart-1', 'cart-2']);
    expect(pods.every((p) => p.kind === 'Pod' && p.apiVersion === 'v1')).toBe(true);
    expect(fake.calls()).toEqual([
      'GET /api/v1/namespaces/shop/pods?labelSelector=app.kubernetes.io%2Fname%3Dcart&limit=500',
    ]);

    fake.requests.length = 0;
    const all = await api.list('Pod');
    expect(all.map((p) => `${p.metadata.namespace}/${p.metadata.name}`)).toEqual([
      'shop/cart-1',
      'shop/cart-2',
      'observability/prometheus-1',
      'shop/redis-1',
    ]);
    // Pages of two (the fake's page size): the second request carries the continue token.
    expect(fake.calls()).toEqual(['GET /api/v1/pods?limit=500', 'GET /api/v1/pods?limit=500&continue=2']);
  });

  it('deletes by path and reports whether there was anything to delete', async () => {
    expect(await api.delete('Pod', 'shop', 'cart-2')).toBe(true);
    expect(await api.delete('Pod', 'shop', 'cart-2')).toBe(false);
    expect(fake.calls()).toEqual([
      'DELETE /api/v1/namespaces/shop/pods/cart-2?propagationPolicy=Background',
      'DELETE /api/v1/namespaces/shop/pods/cart-2?propagationPolicy=Background',
    ]);
  });

  it('lists core/v1 events in every namespace', async () => {
    fake.put({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'cart-1.abc', namespace: 'shop' },
      reason: 'BackOff',
      involvedObject: { kind: 'Pod', namespace: 'shop', name: 'cart-1' },
    });
    const events = await api.events();
    expect(events.map((e) => [e.kind, e.reason])).toEqual([['Event', 'BackOff']]);
    expect(fake.calls()).toEqual(['GET /api/v1/events?limit=500']);
  });

  it('reads container logs with timestamps, previous=true for the restarted instance, since a time', async () => {
    const since = new Date('2026-11-25T11:58:00.000Z');
    expect(await api.podLog('shop', 'cart-1', { container: 'cart', previous: true, sinceTime: since })).toBe(
      '2026-11-25T11:59:00.5Z crashed: out of memory\n',
    );
    expect(await api.podLog('shop', 'cart-1', { container: 'cart', limitBytes: 1024 })).toBe(
      '2026-11-25T12:00:01.000000001Z started\n',
    );
    // No previous instance: the kubelet's 400 means "nothing to read".
    expect(await api.podLog('shop', 'cart-2', { container: 'cart', previous: true })).toBe('');
    expect(fake.calls()).toEqual([
      'GET /api/v1/namespaces/shop/pods/cart-1/log?container=cart&timestamps=true&previous=true&sinceTime=2026-11-25T11%3A58%3A00.000Z',
      'GET /api/v1/namespaces/shop/pods/cart-1/log?container=cart&timestamps=true&limitBytes=1024',
      'GET /api/v1/namespaces/shop/pods/cart-2/log?container=cart&timestamps=true&previous=true',
    ]);
  });

  it('reads the server version', async () => {
    expect(await api.version()).toMatchObject({ gitVersion: 'v1.34.0', platform: 'linux/amd64' });
    expect(fake.calls()).toEqual(['GET /version']);
  });

  it("turns a refusal into a KubeApiError carrying the server's status, reason and message", async () => {
    const err = await api.get('Secret', 'shop', 'forbidden').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeApiError);
    expect(err).toMatchObject({ status: 403, reason: 'Forbidden', method: 'GET' });
    expect((err as Error).message).toContain('cannot get resource "secrets"');
  });

  it('names the known kinds when asked for one it does not know', async () => {
    await expect(api.list('Widget', 'shop')).rejects.toThrow(InvalidInputError);
    await expect(api.list('Widget', 'shop')).rejects.toThrow(/known kinds: Namespace, Node/);
    expect(fake.requests).toHaveLength(0);
  });

  it('reports an unreachable server as a KubeApiError with status 0 naming the server', async () => {
    const url = fake.url;
    await fake.close();
    const err = await api.version().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeApiError);
    expect((err as KubeApiError).status).toBe(0);
    expect((err as Error).message).toContain(url);
    fake = await FakeApiServer.start();
  });
});
