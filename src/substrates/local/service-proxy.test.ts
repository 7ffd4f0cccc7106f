// The Service proxy over real sockets on loopback addresses: a caller pod, a callee pod behind the proxy,
// and the chaos rules the local substrate gives it (proxy-chaos.ts).
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { DnsExperiment, NetworkExperiment, WorkloadRef } from '../../platform/chaos-api.js';
import { ProxyChaosRules, TCP_RTO_MIN_MS } from './proxy-chaos.js';
import { ServiceProxy } from './service-proxy.js';

const NET = `127.${100 + Math.floor(Math.random() * 100)}`;
const FRONTEND_IP = `${NET}.1.1`;
const CHECKOUT_IP = `${NET}.1.2`;
const CART_IP = `${NET}.1.3`;
const SERVICE_IP = `${NET}.200.1`;
const POD_PORT = 20_000 + Math.floor(Math.random() * 20_000);
const SERVICE_PORT = POD_PORT + 1;

const w = (name: string): WorkloadRef => ({ namespace: 'shop', name });
const WORKLOADS = new Map([
  [FRONTEND_IP, w('frontend')],
  [CHECKOUT_IP, w('checkout')],
  [CART_IP, w('cart')],
]);

function network(x: Partial<NetworkExperiment> & Pick<NetworkExperiment, 'action'>): NetworkExperiment {
  return { kind: 'network', from: w('frontend'), to: w('cart'), direction: 'both', ...x };
}

/** Requests the cart pod received, and its open connections (closed after the suite). */
let requests = 0;
const podSockets = new Set<Socket>();
/** The address each connection to the cart pod came from. */
const peers: string[] = [];

/** The cart pod: answers each line `n` with n bytes of 'x' and a newline. */
async function cartPod(): Promise<Server> {
  const server = createServer((s) => {
    peers.push((s.remoteAddress ?? '').replace(/^::ffff:/, ''));
    podSockets.add(s);
    s.once('close', () => podSockets.delete(s));
    s.on('data', (d) => {
      requests++;
      const n = Number(d.toString().trim());
      s.write(`${'x'.repeat(n)}\n`);
    });
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(POD_PORT, CART_IP, () => r()));
  return server;
}

/**
 * A connection from a caller pod's address to the Service; what is written waits for the handshake, and
 * a reset that comes with it is what `ask` reports.
 */
function dial(from: string): Socket {
  return connect({ host: SERVICE_IP, port: SERVICE_PORT, localAddress: from });
}

type Outcome = { reply: number; ms: number } | { error: string; ms: number } | { silent: true; ms: number };

/** Asks for n bytes and waits for the whole reply, an error or `patienceMs` of silence. */
function ask(s: Socket, n: number, patienceMs = 1500): Promise<Outcome> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    let got = 0;
    const done = (o: Outcome): void => {
      clearTimeout(timer);
      s.removeAllListeners('data');
      resolve(o);
    };
    const timer = setTimeout(() => done({ silent: true, ms: Date.now() - t0 }), patienceMs);
    s.on('data', (d: Buffer) => {
      got += d.length;
      if (got >= n + 1) done({ reply: got - 1, ms: Date.now() - t0 });
    });
    s.once('error', (e: NodeJS.ErrnoException) => done({ error: e.code ?? e.message, ms: Date.now() - t0 }));
    s.once('close', () => done({ error: 'closed', ms: Date.now() - t0 }));
    s.write(`${n}\n`);
  });
}

/** A fixed sequence of "random" numbers, repeated. */
function sequence(...xs: number[]): () => number {
  let i = 0;
  return () => xs[i++ % xs.length];
}

describe('ServiceProxy with chaos rules, over real sockets', () => {
  let pod: Server;
  let proxy: ServiceProxy;
  let rules: ProxyChaosRules;
  const open: Socket[] = [];
  const dialFrom = async (ip: string): Promise<Socket> => {
    const s = dial(ip);
    open.push(s);
    return s;
  };

  beforeAll(async () => {
    pod = await cartPod();
  });
  afterAll(async () => {
    for (const s of podSockets) s.destroy();
    await new Promise((r) => pod.close(r));
  });

  async function startProxy(random: () => number = Math.random): Promise<void> {
    rules = new ProxyChaosRules(random);
    proxy = new ServiceProxy(SERVICE_IP, SERVICE_PORT, {
      service: w('cart'),
      rules,
      workloadAt: (ip) => WORKLOADS.get(ip),
    });
    proxy.setEndpoints([{ ip: CART_IP, port: POD_PORT }]);
    await proxy.start();
  }

  afterEach(async () => {
    for (const s of open.splice(0)) s.destroy();
    await proxy.stop();
  });

  it('forwards untouched without rules', async () => {
    await startProxy();
    const r = await ask(await dialFrom(FRONTEND_IP), 1000);
    expect(r).toMatchObject({ reply: 1000 });
    expect(r.ms).toBeLessThan(100);
  });

  it("reaches the pod from the caller's own address, as DNAT leaves the source alone", async () => {
    await startProxy();
    expect(await ask(await dialFrom(CHECKOUT_IP), 10)).toMatchObject({ reply: 10 });
    expect(peers.at(-1)).toBe(CHECKOUT_IP);
  });

  it('refuses new connections while the Service has no endpoints, keeps the open ones, and listens again', async () => {
    await startProxy();
    const before = await dialFrom(FRONTEND_IP);
    expect(await ask(before, 10)).toMatchObject({ reply: 10 });
    proxy.setEndpoints([]);
    await proxy.settled();
    expect(await ask(await dialFrom(FRONTEND_IP), 10)).toMatchObject({ error: 'ECONNREFUSED' });
    expect(await ask(before, 10)).toMatchObject({ reply: 10 });
    proxy.setEndpoints([{ ip: CART_IP, port: POD_PORT }]);
    await proxy.settled();
    expect(await ask(await dialFrom(FRONTEND_IP), 10)).toMatchObject({ reply: 10 });
  });

  it('delays the link from the caller to the target, and only that link', async () => {
    await startProxy();
    rules.addNetwork(
      network({ action: 'delay', direction: 'to', delay: { latencyMs: 200, jitterMs: 0, correlation: 0 } }),
    );
    const slow = await ask(await dialFrom(FRONTEND_IP), 10);
    expect(slow).toMatchObject({ reply: 10 });
    expect(slow.ms).toBeGreaterThanOrEqual(190);
    const other = await ask(await dialFrom(CHECKOUT_IP), 10);
    expect(other).toMatchObject({ reply: 10 });
    expect(other.ms).toBeLessThan(100);
  });

  it('adds the delay once per direction covered, with jitter as latency ± jitter', async () => {
    // 0.5 → no jitter in the request; 1.0 → +100 ms in the response; total 200 + 300 ms.
    await startProxy(sequence(0.5, 1.0));
    rules.addNetwork(
      network({
        action: 'delay',
        direction: 'both',
        delay: { latencyMs: 200, jitterMs: 100, correlation: 0 },
      }),
    );
    const r = await ask(await dialFrom(FRONTEND_IP), 10);
    expect(r).toMatchObject({ reply: 10 });
    expect(r.ms).toBeGreaterThanOrEqual(480);
    expect(r.ms).toBeLessThan(800);
  });

  it('applies a rule to a connection already open, and stops when the rule is removed', async () => {
    await startProxy();
    const s = await dialFrom(FRONTEND_IP);
    expect((await ask(s, 10)).ms).toBeLessThan(100);
    const id = rules.addNetwork(
      network({ action: 'delay', delay: { latencyMs: 150, jitterMs: 0, correlation: 0 } }),
    );
    expect((await ask(s, 10)).ms).toBeGreaterThanOrEqual(290);
    rules.remove(id);
    expect((await ask(s, 10)).ms).toBeLessThan(100);
  });

  it('loses packets as TCP does: at 100 % no copy of the request arrives and the caller hears nothing', async () => {
    await startProxy();
    rules.addNetwork(network({ action: 'loss', direction: 'to', loss: { percent: 100, correlation: 0 } }));
    expect(await ask(await dialFrom(FRONTEND_IP), 10, 600)).toMatchObject({ silent: true });
    expect(await ask(await dialFrom(CHECKOUT_IP), 10)).toMatchObject({ reply: 10 });
  });

  it('loses a share of packets: a lost request arrives one retransmission timeout late', async () => {
    await startProxy(sequence(0.1, 0.9));
    rules.addNetwork(network({ action: 'loss', direction: 'to', loss: { percent: 50, correlation: 0 } }));
    // The rule's generator drew once at creation (0.1); the next draws are 0.9 (delivered), then 0.1 (lost)
    // and 0.9 (the retransmission arrives).
    const s = await dialFrom(FRONTEND_IP);
    expect((await ask(s, 10)).ms).toBeLessThan(150);
    const late = await ask(s, 10);
    expect(late).toMatchObject({ reply: 10 });
    expect(late.ms).toBeGreaterThanOrEqual(TCP_RTO_MIN_MS - 10);
  });

  it('corrupts packets: a segment failing its checksum is dropped like a lost one', async () => {
    await startProxy();
    rules.addNetwork(
      network({ action: 'corrupt', direction: 'from', corrupt: { percent: 100, correlation: 0 } }),
    );
    expect(await ask(await dialFrom(FRONTEND_IP), 10, 600)).toMatchObject({ silent: true });
  });

  it('limits bandwidth: 20 kB at 40 kB/s with a 1 kB bucket takes about half a second', async () => {
    await startProxy();
    rules.addNetwork(
      network({
        action: 'bandwidth',
        direction: 'from',
        bandwidth: { rate: '40kbps', bytesPerSecond: 40_000, limitBytes: 1_000_000, bufferBytes: 1000 },
      }),
    );
    const r = await ask(await dialFrom(FRONTEND_IP), 20_000, 3000);
    expect(r).toMatchObject({ reply: 20_000 });
    expect(r.ms).toBeGreaterThanOrEqual(400);
    expect(r.ms).toBeLessThan(1500);
    const free = await ask(await dialFrom(CHECKOUT_IP), 20_000);
    expect(free.ms).toBeLessThan(150);
  });

  it('partitions as a black hole: the caller hears nothing and no reset', async () => {
    await startProxy();
    rules.addNetwork(network({ action: 'partition', direction: 'both' }));
    expect(await ask(await dialFrom(FRONTEND_IP), 10, 400)).toMatchObject({ silent: true });
    expect(await ask(await dialFrom(CHECKOUT_IP), 10)).toMatchObject({ reply: 10 });
  });

  it('partitions one way: responses only, the request still arrives', async () => {
    await startProxy();
    const before = requests;
    rules.addNetwork(network({ action: 'partition', direction: 'from' }));
    expect(await ask(await dialFrom(FRONTEND_IP), 10, 400)).toMatchObject({ silent: true });
    expect(requests - before).toBe(1);
  });

  it("filters by the callee's port: a rule on another port leaves the link alone", async () => {
    await startProxy();
    rules.addNetwork(network({ action: 'partition', port: POD_PORT + 7 }));
    expect(await ask(await dialFrom(FRONTEND_IP), 10)).toMatchObject({ reply: 10 });
    rules.addNetwork(network({ action: 'partition', port: POD_PORT }));
    expect(await ask(await dialFrom(FRONTEND_IP), 10, 300)).toMatchObject({ silent: true });
  });

  describe('lookup rules', () => {
    const dns = (action: DnsExperiment['action'], names: string[]): DnsExperiment => ({
      kind: 'dns',
      action,
      from: w('frontend'),
      names,
    });

    it('error: the lookup fails at the cluster DNS (cluster-dns.ts), for that caller only; the proxy forwards', async () => {
      await startProxy();
      rules.addDns(dns('error', ['cart', 'cart.shop.svc.cluster.local']));
      expect(rules.lookupFails(w('frontend'), w('cart'))).toBe(true);
      expect(rules.lookupFails(w('checkout'), w('cart'))).toBe(false);
      expect(rules.lookupFails(w('frontend'), w('catalog'))).toBe(false);
      // An address resolved before the rule (or written down) still reaches the Service.
      expect(await ask(await dialFrom(FRONTEND_IP), 10)).toMatchObject({ reply: 10 });
    });

    it('random: the caller reaches an address where nothing answers', async () => {
      await startProxy();
      rules.addDns(dns('random', ['cart.shop']));
      expect(await ask(await dialFrom(FRONTEND_IP), 10, 300)).toMatchObject({ silent: true });
    });

    it('another name leaves the Service alone; connections opened before keep working', async () => {
      await startProxy();
      const before = await dialFrom(FRONTEND_IP);
      rules.addDns(dns('error', ['catalog']));
      expect(await ask(await dialFrom(FRONTEND_IP), 10)).toMatchObject({ reply: 10 });
      rules.addDns(dns('error', ['cart']));
      expect(await ask(before, 10)).toMatchObject({ reply: 10 });
    });
  });
});
