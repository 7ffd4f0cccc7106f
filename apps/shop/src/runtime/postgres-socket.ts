import { Socket } from 'node:net';

/**
 * A `pg` stream factory whose sockets dial from `localAddress`. On the local substrate each pod owns a
 * loopback address and its calls leave from it (see redis-connector.ts); pg calls `connect(port, host)`
 * itself, so the bind has to ride on that call.
 */
export function socketFrom(localAddress: string): () => Socket {
  return () => {
    const socket = new Socket();
    const connect = socket.connect.bind(socket);
    return Object.assign(socket, {
      connect: (port: number, host: string) => connect({ port, host, localAddress }),
    });
  };
}
