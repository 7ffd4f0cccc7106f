import { createServer, type Server } from 'node:net';
import { Redis } from 'ioredis';
import { connectorFrom } from './redis-connector.js';

const NET = `127.${100 + Math.floor(Math.random() * 100)}`;
const POD_IP = `${NET}.1.9`;
const REDIS_IP = `${NET}.200.9`;

describe('connectorFrom', () => {
  let server: Server;
  const callers: string[] = [];
  beforeAll(async () => {
    // A Redis that answers every command +OK, and notes who dialled it.
    server = createServer((s) => {
      callers.push(s.remoteAddress ?? '');
      s.on('data', () => s.write('+OK\r\n'));
      s.on('error', () => undefined);
    });
    await new Promise<void>((r) => server.listen(0, REDIS_IP, () => r()));
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
  });

  it("dials Redis from the pod's own address, so the Service proxy knows the caller", async () => {
    const port = (server.address() as { port: number }).port;
    const client = new Redis({
      host: REDIS_IP,
      port,
      enableReadyCheck: false,
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      Connector: connectorFrom(POD_IP),
    });
    try {
      await client.connect();
      await expect(client.set('k', 'v')).resolves.toBe('OK');
      expect(callers).toEqual([POD_IP]);
    } finally {
      client.disconnect();
    }
  });
});
