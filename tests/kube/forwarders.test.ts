import net from 'node:net';
import type { Duplex } from 'node:stream';
import { KubeConfigTransport } from '../../src/kube/kubeconfig-transport.js';
import { PodPortForwarder } from '../../src/kube/pod-port-forwarder.js';
import { ServiceProxyForwarder, serviceProxyPath } from '../../src/kube/service-proxy-forwarder.js';
import { FakeApiServer } from './fake-api-server.js';

describe('ServiceProxyForwarder', () => {
  let fake: FakeApiServer;
  let fwd: ServiceProxyForwarder;

  beforeEach(async () => {
    fake = await FakeApiServer.start({
      proxy: (target, req) => ({
        status: target.rest.startsWith('/missing') ? 404 : 200,
        headers: { 'content-type': 'application/json', 'x-answered-by': target.service },
        body: JSON.stringify({ rest: target.rest, actor: req.headers['x-actor'] ?? null, body: req.body }),
      }),
    });
    fwd = await ServiceProxyForwarder.start(new KubeConfigTransport(fake.kubeConfig()), {
      namespace: 'observability',
      service: 'prometheus',
      port: 9090,
    });
  });

  afterEach(async () => {
    await fwd.close();
    await fake.close();
  });

  it('builds the API server service-proxy path', () => {
    expect(serviceProxyPath({ namespace: 'firedrill-system', service: 'flags', port: 8080 })).toBe(
      '/api/v1/namespaces/firedrill-system/services/flags:8080/proxy',
    );
  });

  it("sends a local request through the API server's service proxy with the kubeconfig's credentials", async () => {
    expect(fwd.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${fwd.url}/api/v1/query?query=up%7Bjob%3D%22shop%22%7D`, {
      headers: { authorization: 'Bearer not-for-the-cluster' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-answered-by')).toBe('prometheus');
    expect(await res.json()).toEqual({
      rest: '/api/v1/query?query=up%7Bjob%3D%22shop%22%7D',
      actor: null,
      body: '',
    });
    const seen = fake.requests.at(-1)!;
    expect(seen.method).toBe('GET');
    expect(seen.path).toBe('/api/v1/namespaces/observability/services/prometheus:9090/proxy/api/v1/query');
    expect(seen.query).toBe('query=up%7Bjob%3D%22shop%22%7D');
    // The caller's own Authorization is dropped; the cluster sees the kubeconfig's token.
    expect(seen.headers.authorization).toBe('Bearer test-token');
  });

  it('passes methods, bodies, application headers and error statuses through', async () => {
    const put = await fetch(`${fwd.url}/flags/payment.latencyMs`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', 'x-actor': 'operator' },
      body: '250',
    });
    expect(await put.json()).toEqual({ rest: '/flags/payment.latencyMs', actor: 'operator', body: '250' });
    expect(fake.requests.at(-1)?.headers['content-type']).toBe('application/json');
    const missing = await fetch(`${fwd.url}/missing`);
    expect(missing.status).toBe(404);
  });

  it('answers 502 naming the Service when the API server cannot be reached', async () => {
    await fake.close();
    const res = await fetch(`${fwd.url}/api/v1/query?query=up`);
    expect(res.status).toBe(502);
    expect(await res.text()).toContain('cannot reach observability/prometheus');
    fake = await FakeApiServer.start();
  });
});

describe('PodPortForwarder', () => {
  let echo: net.Server;
  let echoPort: number;

  beforeAll(async () => {
    echo = net.createServer((s) => s.pipe(s));
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', () => r()));
    echoPort = (echo.address() as net.AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise<void>((r) => echo.close(() => r()));
  });

  /** Stands in for client-node's PortForward: a TCP connection to the echo server. */
  const opened: string[] = [];
  const openViaTcp = async (ns: string, pod: string, port: number, socket: Duplex): Promise<() => void> => {
    opened.push(`${ns}/${pod}:${port}`);
    const upstream = net.connect(echoPort, '127.0.0.1');
    await new Promise<void>((r) => upstream.once('connect', () => r()));
    socket.pipe(upstream).pipe(socket);
    upstream.on('close', () => socket.end());
    return () => upstream.destroy();
  };

  const roundTrip = async (host: string, port: number, text: string): Promise<string> =>
    new Promise((resolve, reject) => {
      const c = net.connect(port, host, () => c.write(text));
      let got = '';
      c.on('data', (d) => {
        got += d.toString();
        if (got.length >= text.length) c.end();
      });
      c.on('close', () => resolve(got));
      c.on('error', reject);
    });

  it('forwards each connection to the pod picked for it at that moment', async () => {
    opened.length = 0;
    let n = 0;
    const fwd = await PodPortForwarder.start({
      namespace: 'shop',
      port: 6379,
      pickPod: async () => `redis-${++n}`,
      open: openViaTcp,
    });
    try {
      expect(await roundTrip(fwd.host, fwd.port, 'PING\r\n')).toBe('PING\r\n');
      expect(await roundTrip(fwd.host, fwd.port, '*1\r\n$4\r\nPING\r\n')).toBe('*1\r\n$4\r\nPING\r\n');
      expect(opened).toEqual(['shop/redis-1:6379', 'shop/redis-2:6379']);
    } finally {
      await fwd.close();
    }
  });

  it('closes the connection when no pod can be picked', async () => {
    const fwd = await PodPortForwarder.start({
      namespace: 'shop',
      port: 6379,
      pickPod: async () => {
        throw new Error('no running redis pod in shop');
      },
      open: openViaTcp,
    });
    try {
      expect(await roundTrip(fwd.host, fwd.port, 'PING\r\n')).toBe('');
    } finally {
      await fwd.close();
    }
  });
});
