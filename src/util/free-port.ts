import { createServer } from 'node:net';

/**
 * A TCP port that was free a moment ago on `host`. Another process may take it before the caller
 * binds it, so callers that start a server on it should retry on EADDRINUSE.
 */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host, port: 0, exclusive: true }, () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error(`could not read the port of a listener on ${host}`));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}
