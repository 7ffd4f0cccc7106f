import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BoundedLifetimeAgent } from './connection-agent.js';

let server: Server;
let port: number;
const connections: string[] = [];

beforeAll(async () => {
  server = createServer((_req, res) => res.end('ok'));
  server.on('connection', (s) => connections.push(`${s.remotePort}`));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
});
beforeEach(() => {
  connections.length = 0;
});

/** One GET through `agent`, resolved with the client port it used. */
function get(agent: BoundedLifetimeAgent): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', agent }, (res) => {
      const local = req.socket?.localPort ?? -1;
      res.resume();
      res.on('end', () => setImmediate(() => resolve(local)));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('BoundedLifetimeAgent', () => {
  test('reuses a connection while it is younger than maxAgeMs, then opens a new one', async () => {
    let now = 0;
    const agent = new BoundedLifetimeAgent({
      keepAlive: true,
      maxSockets: 1,
      maxAgeMs: 1000,
      now: () => now,
    });
    try {
      const a = await get(agent);
      now = 500;
      expect(await get(agent)).toBe(a);
      now = 1000;
      // the request that finds the connection at its age limit still completes on it; the pool drops it after
      expect(await get(agent)).toBe(a);
      const d = await get(agent);
      expect(d).not.toBe(a);
      expect(connections).toHaveLength(2);
    } finally {
      agent.destroy();
    }
  });

  test('maxAgeMs 0 keeps one connection for ever', async () => {
    let now = 0;
    const agent = new BoundedLifetimeAgent({ keepAlive: true, maxSockets: 1, maxAgeMs: 0, now: () => now });
    try {
      const a = await get(agent);
      for (const t of [10_000, 1_000_000]) {
        now = t;
        expect(await get(agent)).toBe(a);
      }
      expect(connections).toHaveLength(1);
    } finally {
      agent.destroy();
    }
  });
});
