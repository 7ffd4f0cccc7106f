import net from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from '../logging/logger.js';

/**
 * Opens one byte stream to `port` of a pod and pipes it both ways with `socket`; resolves with a function
 * that closes it. The real one is client-node's PortForward (WebSocket to the API server); tests pass a
 * plain TCP connection.
 */
export type PodStreamOpener = (
  namespace: string,
  pod: string,
  port: number,
  socket: Duplex,
) => Promise<() => void>;

export interface PodPortForwarderOptions {
  namespace: string;
  /** Picks the pod for each new connection (the current one: faults restart pods). */
  pickPod: () => Promise<string>;
  port: number;
  open: PodStreamOpener;
  logger?: Logger;
}

/**
 * A TCP listener on 127.0.0.1 whose every connection is forwarded to a pod port, the pod chosen afresh
 * per connection. For protocols the API server's HTTP service proxy cannot carry (Redis' RESP).
 */
export class PodPortForwarder {
  private constructor(
    private readonly server: net.Server,
    private readonly sockets: Set<net.Socket>,
    readonly host: string,
    readonly port: number,
  ) {}

  static async start(opts: PodPortForwarderOptions): Promise<PodPortForwarder> {
    const sockets = new Set<net.Socket>();
    const server = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => socket.destroy());
      opts
        .pickPod()
        .then((pod) => opts.open(opts.namespace, pod, opts.port, socket))
        .then((close) => {
          if (socket.destroyed) close();
          else socket.once('close', close);
        })
        .catch((err: unknown) => {
          opts.logger?.warn({ err, namespace: opts.namespace }, 'port-forward failed');
          socket.destroy();
        });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const address = server.address() as net.AddressInfo;
    return new PodPortForwarder(server, sockets, '127.0.0.1', address.port);
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
