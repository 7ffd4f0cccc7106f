import { createServer, connect, type Server, type Socket } from 'node:net';

export interface Endpoint {
  ip: string;
  port: number;
}

/**
 * kube-proxy for one Service port: listens on the Service's loopback ClusterIP and forwards each
 * connection to the next ready endpoint, round robin. With no endpoints the connection is reset at
 * once, as the iptables REJECT rule does in a cluster, so callers see ECONNREFUSED-like failures.
 */
export class ServiceProxy {
  private server: Server | undefined;
  private endpoints: Endpoint[] = [];
  private next = 0;
  private readonly sockets = new Set<Socket>();

  constructor(
    readonly ip: string,
    readonly port: number,
  ) {}

  setEndpoints(eps: Endpoint[]): void {
    this.endpoints = eps;
  }

  async start(): Promise<void> {
    const server = createServer((client) => this.forward(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, this.ip, () => resolve());
    });
    this.server = server;
  }

  private forward(client: Socket): void {
    this.sockets.add(client);
    client.once('close', () => this.sockets.delete(client));
    if (this.endpoints.length === 0) {
      client.resetAndDestroy();
      return;
    }
    const ep = this.endpoints[this.next++ % this.endpoints.length];
    const upstream = connect(ep.port, ep.ip);
    this.sockets.add(upstream);
    upstream.once('close', () => this.sockets.delete(upstream));
    client.pipe(upstream);
    upstream.pipe(client);
    upstream.once('error', () => client.resetAndDestroy());
    client.once('error', () => upstream.destroy());
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
