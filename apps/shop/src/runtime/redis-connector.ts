import { createConnection } from 'node:net';
import { AbstractConnector } from 'ioredis';

interface ConnectOptions {
  host?: string;
  port?: number;
  disconnectTimeout?: number;
}

/**
 * An ioredis connector that dials from `localAddress`. On the local substrate each pod owns a loopback
 * address and its calls leave from it, as a pod's leave from its pod IP; ioredis' own connector cannot
 * bind one, so the Service proxies could not tell which pod calls Redis. Without an address (in a
 * cluster) ioredis' default connector is used instead.
 */
export function connectorFrom(localAddress: string): new (options: unknown) => AbstractConnector {
  return class LocalAddressConnector extends AbstractConnector {
    private readonly target: ConnectOptions;

    constructor(options: unknown) {
      const o = (options ?? {}) as ConnectOptions;
      super(o.disconnectTimeout ?? 2000);
      this.target = o;
    }

    connect(): Promise<ReturnType<typeof createConnection>> {
      this.connecting = true;
      // As ioredis' own connector: the stream is created on the next tick, unless disconnect came first.
      return new Promise((resolve, reject) => {
        process.nextTick(() => {
          if (!this.connecting) {
            reject(new Error('Connection is closed.'));
            return;
          }
          const stream = createConnection({
            host: this.target.host ?? '127.0.0.1',
            port: this.target.port ?? 6379,
            localAddress,
          });
          stream.once('error', (err) => {
            this.firstError = err;
          });
          this.stream = stream;
          resolve(stream);
        });
      });
    }
  };
}
